// "Move it": shift and rotate the digit and watch each network's answer hold or fall.
// Sweep plots, for the digit as drawn, each model's probability of its answer against the
// shift (x and y, -8..8 px) and the rotation (-45..45 degrees).
// As a single view (view="move") it brings its own controls and both answers.
import {SLOTS} from '../../lab.js';
import {SLOT_COLOR} from '../../ui/color.js';
import {h, uid} from '../../ui/dom.js';
import {errorText, SLOT_TITLE} from '../words.js';
import {answerPanel, SCALE_NOTE} from './bars.js';
import * as controls from './controls.js';
import {follow} from './follow.js';

const SVG = 'http://www.w3.org/2000/svg';
const AXES = [
  {axis: 'x', title: 'Shift x', unit: ' px', move: 'dx'},
  {axis: 'y', title: 'Shift y', unit: ' px', move: 'dy'},
  {axis: 'angle', title: 'Rotation', unit: '°', move: 'angle'},
];
// The chart's box (SVG units) and its margins.
const W = 260;
const H = 150;
const M = {l: 36, r: 8, t: 10, b: 28};

const svg = (tag, attrs = {}, ...children) => {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children.flat());
  return el;
};

/** The shifts around 0 over which the probability stays at least one half, as words. */
function holds(values, p, unit) {
  const zero = values.indexOf(0);
  if (!(p[zero] >= 0.5)) return 'is under 50% even unmoved';
  let lo = zero;
  let hi = zero;
  while (lo > 0 && p[lo - 1] >= 0.5) lo--;
  while (hi < values.length - 1 && p[hi + 1] >= 0.5) hi++;
  const fmt = (v) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v)}${unit}`;
  if (lo === 0 && hi === values.length - 1) return 'stays above 50% all the way';
  return `stays above 50% from ${fmt(values[lo])} to ${fmt(values[hi])}`;
}

/**
 * One sweep's chart: each model's probability of its answer (series: [{name, answer, p: number[]}])
 * against values, with the current move marked. -> {el: figure, caption}
 */
function chart({title, unit}, values, series, current) {
  const x = (v) => M.l + ((v - values[0]) / (values[values.length - 1] - values[0])) * (W - M.l - M.r);
  const y = (p) => M.t + (1 - p) * (H - M.t - M.b);
  const grid = [0, 0.5, 1].map((p) =>
    svg(
      'g',
      {},
      svg('line', {x1: M.l, x2: W - M.r, y1: y(p), y2: y(p), class: 'grid'}),
      svg('text', {x: M.l - 4, y: y(p) + 4, 'text-anchor': 'end'}, `${p * 100}%`),
    ),
  );
  const ticks = [values[0], values[0] / 2, 0, values[values.length - 1] / 2, values[values.length - 1]].map((v) =>
    svg('text', {x: x(v), y: H - M.b + 16, 'text-anchor': 'middle'}, `${v}${unit.trim() === '°' ? '°' : ''}`),
  );
  const marker = svg('line', {x1: x(current), x2: x(current), y1: M.t, y2: H - M.b, class: 'now'});
  const lines = series.map(({name, answer, p}) =>
    svg(
      'g',
      {'data-slot': name, 'data-answer': answer, 'data-points': p.length},
      svg('polyline', {
        points: p.map((v, i) => `${x(values[i]).toFixed(1)},${y(v).toFixed(1)}`).join(' '),
        fill: 'none',
        stroke: SLOT_COLOR[name],
        'stroke-width': 2,
      }),
      p.map((v, i) =>
        svg(
          'circle',
          {cx: x(values[i]).toFixed(1), cy: y(v).toFixed(1), r: 2.4, fill: SLOT_COLOR[name], 'data-p': v},
          svg('title', {}, `${SLOT_TITLE[name]}, ${values[i]}${unit}: ${(100 * v).toFixed(1)}% for ${answer}`),
        ),
      ),
    ),
  );
  const words = series.map(({name, answer, p}) => `${SLOT_TITLE[name]}: P(${answer}) ${holds(values, p, unit)}`);
  const captionId = uid('sweep');
  const el = h(
    'figure',
    {class: 'sweep-chart', dataset: {axis: title}},
    h('figcaption', {}, `${title} (${unit.trim() || 'steps'})`),
    svg(
      'svg',
      {viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': captionId},
      ...grid,
      ...ticks,
      marker,
      ...lines,
    ),
    h('p', {id: captionId, class: 'small muted'}, `${title}: ${words.join('; ')}.`),
  );
  return el;
}

/** The Sweep panel -> {el}: the button, the three charts and what they say. */
export function sweepPanel(lab) {
  const button = h('button', {type: 'button', class: 'btn btn-primary'}, 'Sweep');
  const status = h('p', {class: 'status-line', role: 'status'});
  const charts = h('div', {class: 'sweep-charts'});
  const legend = h(
    'p',
    {class: 'legend small'},
    SLOTS.map((n) => h('span', {class: `key key-${n}`}, `${SLOT_TITLE[n]}: probability of its answer`)),
    h('span', {class: 'key key-now'}, 'where the controls put the digit now'),
  );
  legend.hidden = true;
  let last = null; // {values: {axis: values}, series: {axis: [...]}}

  async function run() {
    if (lab.focus.source === 'none') {
      charts.replaceChildren();
      legend.hidden = true;
      status.textContent = 'Draw a digit to sweep it.';
      return;
    }
    button.disabled = true;
    status.textContent = 'Sweeping…';
    try {
      const swept = await Promise.all(AXES.map(({axis}) => lab.sweep(axis)));
      last = AXES.map((a, k) => ({
        a,
        values: swept[k][SLOTS.find((n) => !swept[k][n].error)]?.values ?? [],
        series: SLOTS.filter((n) => !swept[k][n].error).map((n) => {
          const {probs, answer, values} = swept[k][n];
          return {name: n, answer, p: values.map((_, i) => probs[i * 10 + answer])};
        }),
        errors: SLOTS.filter((n) => swept[k][n].error).map((n) => `${SLOT_TITLE[n]}: ${swept[k][n].error}`),
      }));
      draw();
      const errors = [...new Set(last.flatMap((s) => s.errors))];
      status.textContent = errors.length ? `Not swept: ${errors.join('; ')}` : '';
    } catch (e) {
      status.textContent = errorText(e);
    } finally {
      button.disabled = false;
    }
  }

  function draw() {
    if (!last) return;
    charts.replaceChildren(
      ...last.filter((s) => s.series.length).map((s) => chart(s.a, s.values, s.series, lab.move[s.a.move])),
    );
    legend.hidden = !charts.childElementCount;
  }

  const el = h('div', {class: 'sweep'}, h('div', {class: 'row gap'}, button), legend, charts, status);
  // Once asked for, the sweep follows the digit: a new stroke, a test digit, the centring.
  let centre = lab.move.centre;
  const auto = follow(el, lab, run, {events: ['feed', 'model'], armed: false});
  lab.on('move', ({move}) => {
    if (move.centre !== centre) {
      centre = move.centre;
      auto.changed();
    }
    draw();
  });
  lab.on('focus', ({focus}) => {
    if (focus.source !== 'none') return;
    last = null;
    charts.replaceChildren();
    legend.hidden = true;
  });
  button.addEventListener('click', () => auto.kick());
  return {el};
}

const TITLE = 'Move it';
const ABOUT =
  'Shift, turn or thicken the digit with the controls by the pad and both networks read it again. ' +
  'Sweep tries every shift from −8 to +8 pixels and every rotation from −45° to 45° on your digit as drawn, ' +
  'and plots how sure each network stays of its answer: the MLP learnt a weight for every pixel position, ' +
  'the CNN slides the same small filters over the whole image.';

/**
 * Mounts "Move it" into el. In the Draw view (opts.inDrawpad) the pad's own controls and answers
 * serve it; alone (view="move") it brings them.
 */
export function mount(el, lab, opts = {}) {
  const titleId = uid('exp');
  const parts = [h('h3', {id: titleId}, TITLE), h('p', {class: 'muted'}, ABOUT)];
  if (!opts.inDrawpad) parts.push(...standalone(lab));
  parts.push(sweepPanel(lab).el);
  el.append(h('section', {class: 'card exp exp-move', 'aria-labelledby': titleId}, parts));
}

/** The controls and both answers, for "Move it" on its own. */
function standalone(lab) {
  const panels = Object.fromEntries(SLOTS.map((n) => [n, answerPanel(n)]));
  lab.on('prediction', ({slot, probs}) => panels[slot].show(probs));
  lab.on('predicting', ({slot, busy}) => panels[slot].busy(busy));
  lab.on('model', ({slot}) => panels[slot].describe(lab.slots[slot]));
  lab.on('focus', ({focus}) => {
    if (focus.source === 'none') for (const p of Object.values(panels)) p.reset();
  });
  for (const n of SLOTS) {
    panels[n].describe(lab.slots[n]);
    panels[n].busy(lab.slots[n].busy);
  }
  return [
    h(
      'div',
      {class: 'move-solo'},
      controls.build(lab).el,
      h(
        'div',
        {class: 'preds'},
        SLOTS.map((n) => panels[n].el),
      ),
    ),
    h('p', {class: 'small muted scale-note'}, SCALE_NOTE),
  ];
}
