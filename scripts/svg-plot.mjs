// Small, dependency-free SVG line and scatter plots for RESULTS.md and the page. They use
// the page's colours (orange = MLP, indigo = CNN, grey = linear) and a type size that
// reads at the width the page shows them (about 560 px, one user unit per pixel).
const W = 560,
  H = 360,
  M = {l: 62, r: 20, t: 66, b: 52};
const FONT = {title: 17, legend: 14, axis: 14, tick: 13, label: 13};

/** The page's colours for a kind of network (web/src/styles.css --mlp-ink, --cnn, --muted). */
export const KIND_COLOR = {mlp: '#c2410c', cnn: '#4f46e5', linear: '#5b6677'};
/** Line styles for the second, third, ... series of one kind. */
const DASHES = ['', '7 4', '2 3', '10 3 2 3'];

const esc = (s) => String(s).replace(/[<>&]/g, (c) => ({'<': '&lt;', '>': '&gt;', '&': '&amp;'})[c]);
/** The width of text at font size px in user units (system-ui averages about 0.56 em a character). */
const textWidth = (text, px) => String(text).length * px * 0.56;

function niceTicks(lo, hi, n = 5) {
  const span = hi - lo || 1;
  const step = 10 ** Math.floor(Math.log10(span / n));
  const unit = [1, 2, 5, 10].map((m) => m * step).find((s) => span / s <= n) || step * 10;
  const ticks = [];
  for (let v = Math.ceil(lo / unit) * unit; v <= hi + 1e-9; v += unit) ticks.push(+v.toFixed(10));
  return ticks;
}

function frame({title, xLabel, yLabel, xs, ys, logX}) {
  const fx = logX ? Math.log10 : (v) => v;
  const [x0, x1] = [Math.min(...xs.map(fx)), Math.max(...xs.map(fx))];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const pad = (y1 - y0) * 0.08 || 1;
  y0 -= pad;
  y1 += pad;
  const sx = (v) => M.l + ((fx(v) - x0) / (x1 - x0 || 1)) * (W - M.l - M.r);
  const sy = (v) => H - M.b - ((v - y0) / (y1 - y0)) * (H - M.t - M.b);
  let g = `<rect width="${W}" height="${H}" fill="#fff"/><text x="${W / 2}" y="24" text-anchor="middle" font-size="${FONT.title}" font-weight="600" fill="#101428">${esc(title)}</text>`;
  for (const t of niceTicks(y0, y1)) {
    g += `<line x1="${M.l}" x2="${W - M.r}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e5e7eb"/><text x="${M.l - 6}" y="${sy(t) + 4}" text-anchor="end" font-size="${FONT.tick}" fill="#334155">${t}</text>`;
  }
  const xt = logX
    ? niceTicks(x0, x1)
        .filter(Number.isInteger)
        .map((e) => 10 ** e)
    : niceTicks(x0, x1);
  for (const t of xt) {
    g += `<text x="${sx(t)}" y="${H - M.b + 18}" text-anchor="middle" font-size="${FONT.tick}" fill="#334155">${logX ? t.toLocaleString('en') : t}</text>`;
  }
  g += `<line x1="${M.l}" x2="${W - M.r}" y1="${H - M.b}" y2="${H - M.b}" stroke="#374151"/><line x1="${M.l}" x2="${M.l}" y1="${M.t}" y2="${H - M.b}" stroke="#374151"/>`;
  g += `<text x="${(M.l + W - M.r) / 2}" y="${H - 10}" text-anchor="middle" font-size="${FONT.axis}" fill="#101428">${esc(xLabel)}</text>`;
  g += `<text transform="translate(18 ${(M.t + H - M.b) / 2}) rotate(-90)" text-anchor="middle" font-size="${FONT.axis}" fill="#101428">${esc(yLabel)}</text>`;
  return {g, sx, sy};
}

/** One row of legend entries under the title: [{name, color, dash, dot}]. */
function legend(entries) {
  let x = M.l;
  let g = '';
  for (const e of entries) {
    const key = e.dot
      ? `<circle cx="${x + 7}" cy="44" r="5" fill="${e.color}"/>`
      : `<line x1="${x}" x2="${x + 22}" y1="44" y2="44" stroke="${e.color}" stroke-width="3" stroke-dasharray="${e.dash || 'none'}"/>`;
    g += `${key}<text x="${x + 28}" y="49" font-size="${FONT.legend}" fill="#101428">${esc(e.name)}</text>`;
    x += 28 + textWidth(e.name, FONT.legend) + 18;
  }
  return g;
}

const svg = (body) =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif">${body}</svg>\n`;

/** Colour and dash per series, from each one's kind ('mlp' | 'cnn' | 'linear'): the n-th of a kind gets the n-th dash. */
function styles(kinds) {
  const seen = {};
  return kinds.map((kind) => {
    seen[kind] = (seen[kind] ?? -1) + 1;
    const n = seen[kind];
    return {color: KIND_COLOR[kind], dash: DASHES[n % DASHES.length]};
  });
}

/** series: [{name, kind, y: [...]}]; x: shared x values (null: 1..n) */
export function linePlot({title, x, xLabel, yLabel, series}) {
  const n = Math.max(...series.map((s) => s.y.length));
  const xs = x || [...Array(n).keys()].map((i) => i + 1);
  const {g, sx, sy} = frame({title, xLabel, yLabel, xs, ys: series.flatMap((s) => s.y)});
  const look = styles(series.map((s) => s.kind));
  let body = g;
  series.forEach((s, i) => {
    const {color, dash} = look[i];
    body += `<polyline fill="none" stroke="${color}" stroke-width="2.5" stroke-dasharray="${dash || 'none'}" points="${s.y.map((v, j) => `${sx(xs[j])},${sy(v)}`).join(' ')}"/>`;
    body += s.y
      .map(
        (v, j) =>
          `<circle cx="${sx(xs[j])}" cy="${sy(v)}" r="3.5" fill="${color}"><title>${esc(s.name)}: ${v.toFixed(2)}</title></circle>`,
      )
      .join('');
  });
  body += legend(series.map((s, i) => ({name: s.name, ...look[i]})));
  return svg(body);
}

/**
 * points: [{x, y, label, kind}]. Each label goes to the first of a few places around its
 * point where it overlaps no other label and no point; labels that fit nowhere are left
 * to the point's tooltip.
 */
export function scatterPlot({title, xLabel, yLabel, points, logX}) {
  const {g, sx, sy} = frame({title, xLabel, yLabel, xs: points.map((p) => p.x), ys: points.map((p) => p.y), logX});
  let body = g;
  const at = points.map((p) => ({...p, px: sx(p.x), py: sy(p.y)}));
  const boxes = at.map((p) => ({x: p.px - 5, y: p.py - 5, w: 10, h: 10}));
  const free = (b) =>
    b.x >= M.l &&
    b.x + b.w <= W - M.r + 12 &&
    b.y >= M.t - 4 &&
    b.y + b.h <= H - M.b &&
    !boxes.some((o) => b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h);
  for (const p of at) {
    body += `<circle cx="${p.px}" cy="${p.py}" r="5" fill="${KIND_COLOR[p.kind]}"><title>${esc(p.label)}: ${p.y.toFixed(2)}%</title></circle>`;
  }
  for (const p of [...at].sort((a, b) => a.px - b.px)) {
    const w = textWidth(p.label, FONT.label);
    const h = FONT.label;
    const spots = [
      [8, -4 - h],
      [8, 4],
      [-8 - w, -4 - h],
      [-8 - w, 4],
      [-w / 2, -10 - h],
      [-w / 2, 10],
      [8, -6 - 2 * h],
      [8, 6 + h],
    ];
    const box = spots.map(([dx, dy]) => ({x: p.px + dx, y: p.py + dy, w, h})).find(free);
    if (!box) continue;
    boxes.push(box);
    body += `<text x="${box.x}" y="${box.y + h - 2}" font-size="${FONT.label}" fill="#101428">${esc(p.label)}</text>`;
  }
  const kinds = [...new Set(points.map((p) => p.kind))];
  const names = {mlp: 'MLP', cnn: 'CNN', linear: 'linear'};
  body += legend(kinds.map((k) => ({name: names[k], color: KIND_COLOR[k], dot: true})));
  return svg(body);
}
