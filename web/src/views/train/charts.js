// The training curves: loss and accuracy against epochs for both slots' runs, thin
// lines for the training batches (smoothed), dots for the test set after each epoch.
// build() makes the two uPlot charts once; render() draws the runs it is given.
import uPlot from 'uplot';
import {SLOTS} from '../../lab.js';
import {SLOT_COLOR} from '../../ui/color.js';
import {h} from '../../ui/dom.js';
import {SLOT_TITLE} from '../words.js';

const HEIGHT = 220;
const MAX_POINTS = 600; // per run and chart: longer runs are thinned out

/** @type {import('uplot').Series[]} */
const SERIES = [{label: 'epoch', value: (_u, v) => (v === null || v === undefined ? '–' : v.toFixed(2))}];
for (const n of SLOTS) {
  SERIES.push({
    label: `${SLOT_TITLE[n]} train`,
    stroke: SLOT_COLOR[n],
    width: 1.6,
    spanGaps: true,
    points: {show: false},
  });
  SERIES.push({
    label: `${SLOT_TITLE[n]} test`,
    stroke: SLOT_COLOR[n],
    width: 2,
    dash: [5, 4],
    spanGaps: true,
    points: {show: true, size: 7, fill: '#fff', stroke: SLOT_COLOR[n], width: 2},
  });
}

const axis = (label, extra = {}) => ({
  label,
  labelSize: 16,
  stroke: '#64748b',
  grid: {stroke: '#eef0f6'},
  ticks: {stroke: '#eef0f6'},
  ...extra,
});

const options = (yLabel, fmt, range) => ({
  width: 400,
  height: HEIGHT,
  series: SERIES,
  legend: {live: true},
  cursor: {points: {size: 6}, drag: {x: false, y: false}},
  scales: {x: {time: false}, y: range ? {range} : {}},
  axes: [axis('epoch', {size: 36}), axis(yLabel, {size: 52, values: (_u, v) => v.map(fmt)})],
});

/** @returns {import('uplot').AlignedData} */
const empty = () => [[], ...SERIES.slice(1).map(() => [])];

/**
 * The two charts' figures (box: the element holding both) -> {box, loss, acc}, each chart
 * with its container.
 */
export function build() {
  const lossBox = h('div', {class: 'chart'});
  const accBox = h('div', {class: 'chart'});
  const box = h(
    'div',
    {class: 'charts', hidden: true},
    h('figure', {}, h('figcaption', {}, 'Loss ', h('span', {class: 'muted'}, '(lower is better)')), lossBox),
    h('figure', {}, h('figcaption', {}, 'Accuracy'), accBox),
  );
  const loss = {
    box: lossBox,
    chart: new uPlot(
      options('loss', (v) => v.toFixed(2)),
      empty(),
      lossBox,
    ),
  };
  const acc = {
    box: accBox,
    chart: new uPlot(
      options(
        'accuracy',
        (v) => `${(v * 100).toFixed(v > 0.99 ? 1 : 0)}%`,
        (_u, lo, _hi) => [Math.max(0, Math.min(lo, 0.9)), 1],
      ),
      empty(),
      accBox,
    ),
  };
  const charts = {box, loss, acc};
  new ResizeObserver(() => resize(charts)).observe(lossBox);
  return charts;
}

/** Fits both charts to their boxes' width. */
export function resize(charts) {
  for (const {chart, box} of [charts.loss, charts.acc]) {
    const w = Math.max(240, Math.floor(box.clientWidth));
    if (chart.width !== w) chart.setSize({width: w, height: HEIGHT});
  }
}

/**
 * One shared x axis (epochs) for every slot's train points and test points: runs by slot
 * name (model/training.js's, or null) -> [loss data, accuracy data].
 * @returns {import('uplot').AlignedData[]}
 */
export function chartData(runs) {
  const rows = new Map();
  const put = (x, col, v) => {
    const key = Math.round(x * 1e4) / 1e4;
    if (!rows.has(key)) rows.set(key, new Array(SERIES.length).fill(null));
    rows.get(key)[col] = v;
  };
  SLOTS.forEach((n, k) => {
    const run = runs[n];
    if (!run) return;
    const pts = run.points || [];
    const stride = Math.max(1, Math.ceil(pts.length / MAX_POINTS));
    let emaL = null;
    let emaA = null;
    pts.forEach((p, i) => {
      emaL = emaL === null ? p.loss : emaL * 0.7 + p.loss * 0.3;
      emaA = emaA === null ? p.acc : emaA * 0.7 + p.acc * 0.3;
      if (i % stride === 0 || i === pts.length - 1) put(p.x, 1 + k * 2, [emaL, emaA]);
    });
    for (const e of run.epochs || []) put(e.epoch, 2 + k * 2, [e.testLoss, e.testAccuracy]);
  });
  const xs = [...rows.keys()].sort((a, b) => a - b);
  /** @returns {import('uplot').AlignedData} */
  const pick = (j) => [xs, ...SERIES.slice(1).map((_, c) => xs.map((x) => rows.get(x)[c + 1]?.[j] ?? null))];
  return [pick(0), pick(1)];
}

/** Draws the runs (by slot name); shows the charts once there is a point. Returns whether there is one. */
export function render(charts, runs) {
  const [loss, acc] = chartData(runs);
  const any = loss[0].length > 0;
  charts.box.hidden = !any;
  charts.loss.chart.setData(loss);
  charts.acc.chart.setData(acc);
  resize(charts);
  return any;
}
