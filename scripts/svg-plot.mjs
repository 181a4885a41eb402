// Small, dependency-free SVG line and scatter plots for RESULTS.md and the page.
const W = 560,
  H = 340,
  M = {l: 60, r: 20, t: 36, b: 48};
const colors = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];
const esc = (s) => String(s).replace(/[<>&]/g, (c) => ({'<': '&lt;', '>': '&gt;', '&': '&amp;'})[c]);

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
  let g = `<rect width="${W}" height="${H}" fill="#fff"/><text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${esc(title)}</text>`;
  for (const t of niceTicks(y0, y1)) {
    g += `<line x1="${M.l}" x2="${W - M.r}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e5e7eb"/><text x="${M.l - 6}" y="${sy(t) + 4}" text-anchor="end" font-size="11">${t}</text>`;
  }
  const xt = logX
    ? niceTicks(x0, x1)
        .filter(Number.isInteger)
        .map((e) => 10 ** e)
    : niceTicks(x0, x1);
  for (const t of xt) {
    g += `<text x="${sx(t)}" y="${H - M.b + 16}" text-anchor="middle" font-size="11">${logX ? t.toLocaleString('en') : t}</text>`;
  }
  g += `<line x1="${M.l}" x2="${W - M.r}" y1="${H - M.b}" y2="${H - M.b}" stroke="#374151"/><line x1="${M.l}" x2="${M.l}" y1="${M.t}" y2="${H - M.b}" stroke="#374151"/>`;
  g += `<text x="${(M.l + W - M.r) / 2}" y="${H - 10}" text-anchor="middle" font-size="12">${esc(xLabel)}</text>`;
  g += `<text transform="translate(16 ${(M.t + H - M.b) / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(yLabel)}</text>`;
  return {g, sx, sy};
}

const svg = (body) =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif">${body}</svg>\n`;

/** series: [{name, y: [...]}]; x: shared x values (null: 1..n) */
export function linePlot({title, x, xLabel, yLabel, series}) {
  const n = Math.max(...series.map((s) => s.y.length));
  const xs = x || [...Array(n).keys()].map((i) => i + 1);
  const {g, sx, sy} = frame({title, xLabel, yLabel, xs, ys: series.flatMap((s) => s.y)});
  let body = g;
  series.forEach((s, i) => {
    const c = colors[i % colors.length];
    body += `<polyline fill="none" stroke="${c}" stroke-width="2" points="${s.y.map((v, j) => `${sx(xs[j])},${sy(v)}`).join(' ')}"/>`;
    body += s.y
      .map(
        (v, j) =>
          `<circle cx="${sx(xs[j])}" cy="${sy(v)}" r="3" fill="${c}"><title>${esc(s.name)}: ${v.toFixed(2)}</title></circle>`,
      )
      .join('');
    body += `<rect x="${W - M.r - 120}" y="${M.t + 4 + i * 18}" width="12" height="3" fill="${c}"/><text x="${W - M.r - 102}" y="${M.t + 9 + i * 18}" font-size="12">${esc(s.name)}</text>`;
  });
  return svg(body);
}

/** points: [{x, y, label}] */
export function scatterPlot({title, xLabel, yLabel, points, logX}) {
  const {g, sx, sy} = frame({title, xLabel, yLabel, xs: points.map((p) => p.x), ys: points.map((p) => p.y), logX});
  let body = g;
  for (const p of points) {
    body += `<circle cx="${sx(p.x)}" cy="${sy(p.y)}" r="4" fill="${colors[0]}"><title>${esc(p.label)}: ${p.y.toFixed(2)}%</title></circle>`;
    body += `<text x="${sx(p.x) + 6}" y="${sy(p.y) - 6}" font-size="10">${esc(p.label)}</text>`;
  }
  return svg(body);
}
