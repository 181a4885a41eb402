// The training curves: loss and accuracy of the runs that ran, a line for the training batches
// (the mean over the epoch so far, as the engine keeps it) and dots for the test set after each
// epoch, against epochs, or against seconds of training in a race (so the faster network ends
// first). A learning rate set mid-run is marked where it took over. build() makes the figures
// once; render() draws the runs it is given, making the two uPlot charts again only when the
// series change (another network, another x axis). uPlot itself is imported with the first
// chart that has a point: a fifth of the page's script, which a visit without training never needs.
import {SLOTS} from '../../lab.js';
import {SLOT_COLOR} from '../../ui/color.js';
import {h} from '../../ui/dom.js';
import {KIND_TITLE} from '../words.js';

const HEIGHT = 220;
const MAX_POINTS = 600; // per run and chart: longer runs are thinned out

/** The x axis: epochs, or seconds of training when both runs of a race are drawn. */
const X = {
  epochs: {label: 'epoch', value: (v) => v.toFixed(2)},
  seconds: {label: 'seconds of training', value: (v) => `${v.toFixed(1)} s`},
};

/** Whether the runs are drawn against seconds: both are a race's. */
export const xUnit = (runs) => (SLOTS.every((n) => runs[n]?.race) ? 'seconds' : 'epochs');

/** The nets drawn: the slots with a run, each with the name of what it trains. */
const drawn = (runs) => SLOTS.filter((n) => runs[n]).map((n) => ({slot: n, name: KIND_TITLE[runs[n].kind] ?? n}));

const axis = (label, extra = {}) => ({
  label,
  labelSize: 16,
  stroke: '#64748b',
  grid: {stroke: '#eef0f6'},
  ticks: {stroke: '#eef0f6'},
  ...extra,
});

/** @returns {import('uplot').Series[]} */
function series(unit, nets) {
  /** @type {import('uplot').Series[]} */
  const out = [{label: X[unit].label, value: (_u, v) => (v === null || v === undefined ? '–' : X[unit].value(v))}];
  for (const {slot, name} of nets) {
    out.push({
      label: `${name} train (epoch mean)`,
      stroke: SLOT_COLOR[slot],
      width: 1.6,
      spanGaps: true,
      points: {show: false},
    });
    out.push({
      label: `${name} test`,
      stroke: SLOT_COLOR[slot],
      width: 2,
      dash: [5, 4],
      spanGaps: true,
      points: {show: true, size: 7, fill: '#fff', stroke: SLOT_COLOR[slot], width: 2},
    });
  }
  return out;
}

/** A uPlot hook that draws each mark (a learning rate set mid-run) as a labelled vertical line. */
const markPlugin = (marks) => ({
  hooks: {
    draw: [
      (u) => {
        const ctx = u.ctx;
        const {top, height} = u.bbox;
        ctx.save();
        ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`;
        ctx.fillStyle = '#334155';
        ctx.textAlign = 'left';
        ctx.textBaseline = 'top';
        ctx.strokeStyle = '#334155';
        ctx.setLineDash([3 * devicePixelRatio, 3 * devicePixelRatio]);
        for (const m of marks()) {
          const x = Math.round(u.valToPos(m.x, 'x', true));
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
          ctx.fillText(`lr ${m.lr}`, x + 4 * devicePixelRatio, top + 2 * devicePixelRatio);
        }
        ctx.restore();
      },
    ],
  },
});

const options = (unit, nets, yLabel, fmt, range, marks) => ({
  width: 400,
  height: HEIGHT,
  series: series(unit, nets),
  legend: {live: true},
  cursor: {points: {size: 6}, drag: {x: false, y: false}},
  scales: {x: {time: false}, y: range ? {range} : {}},
  axes: [axis(X[unit].label, {size: 36}), axis(yLabel, {size: 52, values: (_u, v) => v.map(fmt)})],
  plugins: [markPlugin(marks)],
});

const CHARTS = {
  loss: {y: 'loss', fmt: (v) => v.toFixed(2), range: null},
  acc: {
    y: 'accuracy',
    fmt: (v) => `${(v * 100).toFixed(v > 0.99 ? 1 : 0)}%`,
    range: (_u, lo, _hi) => [Math.max(0, Math.min(lo, 0.9)), 1],
  },
};

/**
 * The two charts' figures (box: the element holding both) -> {box, note, loss, acc}, each chart
 * {box, summary, chart (null until drawn)}. The charts are made by render().
 */
export function build() {
  const part = (caption) => {
    const box = h('div', {class: 'chart'});
    const summary = h('p', {class: 'sr-only chart-summary'});
    return {figure: h('figure', {}, h('figcaption', {}, ...caption), box, summary), box, summary, chart: null};
  };
  const loss = part(['Loss ', h('span', {class: 'muted'}, '(lower is better)')]);
  const acc = part(['Accuracy']);
  const note = h('p', {class: 'small muted chart-note'}, noteText(0));
  const box = h('div', {class: 'charts', hidden: true}, loss.figure, acc.figure, note);
  const charts = {box, note, loss, acc, key: '', marks: {loss: [], acc: []}, latest: null, waiting: false};
  new ResizeObserver(() => resize(charts)).observe(loss.box);
  return charts;
}

/**
 * The note under the charts. smoothing: the largest label smoothing of the runs drawn (0: none),
 * whose train loss is measured against the softened targets and so has a floor.
 */
export function noteText(smoothing) {
  const text =
    'Train: the mean over the batches of the epoch so far, measured while the weights still change ' +
    '(it starts again each epoch). Test: all 10,000 test digits after each epoch (and as often as "Test every" ' +
    'says), with the weights of that moment; ' +
    'so early on the test dot can sit above the train line.';
  if (!(smoothing > 0)) return text;
  // Cross-entropy against targets q is at least their entropy, reached when the softmax equals q.
  const label = 1 - smoothing + smoothing / 10;
  const other = smoothing / 10;
  const floor = -(label * Math.log(label) + 9 * other * Math.log(other));
  const s = +smoothing.toPrecision(6);
  return (
    `${text} With label smoothing ${s} the train loss is measured against softened targets ` +
    `(${+label.toPrecision(4)} on the label, ${+other.toPrecision(4)} on each other digit), so it cannot fall below ` +
    `${floor.toFixed(2)}; the test loss is measured against the true labels, so it ends below the train line.`
  );
}

/** Fits both charts to their boxes' width. */
export function resize(charts) {
  for (const {chart, box} of [charts.loss, charts.acc]) {
    const w = Math.max(240, Math.floor(box.clientWidth));
    if (chart && chart.width !== w) chart.setSize({width: w, height: HEIGHT});
  }
}

/** x of a point or an epoch record in `unit`. */
const xOf = (unit, p) => (unit === 'seconds' ? p.t : p.x);

/**
 * The charts' data for the runs (by slot name: model/training.js's, or null): one shared x axis
 * (xUnit) for every drawn net's train points and test points -> {unit, nets, loss, acc, marks}
 * (loss and acc: uPlot data; marks: [{x, lr}] where a learning rate set mid-run took over).
 */
export function chartData(runs) {
  const unit = xUnit(runs);
  const nets = drawn(runs);
  const width = 1 + nets.length * 2;
  const rows = new Map();
  const put = (x, col, v) => {
    const key = Math.round(x * 1e4) / 1e4;
    if (!rows.has(key)) rows.set(key, new Array(width).fill(null));
    rows.get(key)[col] = v;
  };
  const marks = [];
  nets.forEach(({slot}, k) => {
    const run = runs[slot];
    const pts = run.points || [];
    const stride = Math.max(1, Math.ceil(pts.length / MAX_POINTS));
    pts.forEach((p, i) => {
      if (i % stride === 0 || i === pts.length - 1) put(xOf(unit, p), 1 + k * 2, [p.loss, p.acc]);
    });
    for (const e of run.epochs || [])
      put(unit === 'seconds' ? e.elapsed : e.epoch, 2 + k * 2, [e.testLoss, e.testAccuracy]);
    // A rate set mid-run takes over at the first point after it that trained at it.
    for (const c of run.lrChanges || []) {
      const at = pts.find((p) => p.step > c.step && p.lr === Math.fround(c.lr));
      if (at) marks.push({x: xOf(unit, at), lr: c.lr});
    }
  });
  const xs = [...rows.keys()].sort((a, b) => a - b);
  /** @returns {import('uplot').AlignedData} */
  const pick = (j) => [
    xs,
    ...Array.from({length: width - 1}, (_, c) => xs.map((x) => rows.get(x)[c + 1]?.[j] ?? null)),
  ];
  return {unit, nets, loss: pick(0), acc: pick(1), marks};
}

/**
 * "MLP train (epoch mean): 79 points, 0.01 to 1.00." for each series of a chart's data, and where
 * each learning rate set mid-run took over (marks).
 */
function summary(unit, nets, data, marks) {
  const labels = series(unit, nets).slice(1);
  const v = X[unit].value;
  const set = marks.map((m) => ` Learning rate set to ${m.lr} at ${v(m.x)}.`).join('');
  return labels
    .map((s, c) => {
      const xs = data[0].filter((_, i) => data[c + 1][i] !== null);
      if (!xs.length) return `${s.label}: no points yet.`;
      return `${s.label}: ${xs.length} points, ${v(xs[0])} to ${v(xs[xs.length - 1])}.`;
    })
    .join(' ')
    .concat(set);
}

/** @type {typeof import('uplot') | null} */
let uPlot = null;
/** @type {Promise<void> | null} */
let uPlotLoading = null;

/**
 * Imports uPlot once, then draws the latest runs given to render(); an import that failed (the
 * network went away) is tried again on the next render, and the text summaries stand meanwhile.
 */
function loadUPlot(charts) {
  if (charts.waiting) return;
  charts.waiting = true;
  uPlotLoading ??= import('uplot').then(
    (m) => {
      uPlot = m.default;
    },
    () => {
      uPlotLoading = null;
    },
  );
  uPlotLoading.then(() => {
    charts.waiting = false;
    if (uPlot) render(charts, ...charts.latest);
  });
}

/**
 * Draws the runs (by slot name); shows the charts once there is a point. Returns whether there is one.
 * smoothing: the largest label smoothing among the runs (see noteText).
 */
export function render(charts, runs, smoothing = 0) {
  const {unit, nets, loss, acc, marks} = chartData(runs);
  const any = loss[0].length > 0;
  charts.box.hidden = !any;
  const note = noteText(smoothing);
  if (charts.note.textContent !== note) charts.note.textContent = note;
  charts.marks = marks;
  charts.latest = [runs, smoothing];
  const key = `${unit}|${nets.map((n) => `${n.slot}:${n.name}`).join(',')}`;
  /** @type {['loss' | 'acc', import('uplot').AlignedData][]} */
  const parts = [
    ['loss', loss],
    ['acc', acc],
  ];
  for (const [name, data] of parts) charts[name].summary.textContent = summary(unit, nets, data, marks);
  if (!uPlot) {
    if (any) loadUPlot(charts);
    return any;
  }
  for (const [name, data] of parts) {
    const part = charts[name];
    if (charts.key !== key || !part.chart) {
      part.chart?.destroy();
      const c = CHARTS[name];
      part.chart = new uPlot(
        options(unit, nets, c.y, c.fmt, c.range, () => charts.marks),
        data,
        part.box,
      );
    } else {
      part.chart.setData(data);
    }
    part.box.closest('figure').dataset.x = unit;
  }
  charts.key = key;
  resize(charts);
  return any;
}
