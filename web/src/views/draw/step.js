// "Watch it learn one step": one real SGD step of each network on the digit on the pad
// (Request.STEP_TRACE, run by the core), shown a stage per press of "Step": the forward
// pass layer by layer, the loss, the gradient flowing back one layer at a time, and the
// update of the weights. Both networks side by side, each as a strip of its layers
// (grouped as the network diagram groups them: a convolution or dense layer with its
// activation). The trace is data from the core; this view only draws it.
import {SLOTS} from '../../lab.js';
import {HEAT, INK, paint, SIGNED} from '../../ui/color.js';
import {field, h, uid} from '../../ui/dom.js';
import {int} from '../../ui/format.js';
import {groupsOf} from '../netdiagram.js';
import {errorText, SLOT_TITLE} from '../words.js';

const RATES = [0.01, 0.05, 0.1, 0.5];
const DEFAULT_RATE = 0.05;
const CHANNELS = 4; // feature maps shown per convolution or pooling layer

/** A number as the strip prints it: 4 significant digits, exponent when tiny or huge. */
const num = (x) => (x === 0 ? '0' : Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4 ? x.toExponential(2) : x.toPrecision(4));

/**
 * The stages one step is shown in, for networks with these many layers to go back through:
 * forward, loss, backward 1..n (the gradient reaches one more layer each), update.
 */
export function stagesFor(depth) {
  return ['forward', 'loss', ...Array.from({length: depth}, (_, i) => `backward-${i + 1}`), 'update'];
}

export function mount(el, lab) {
  const label = h(
    'select',
    {},
    Array.from({length: 10}, (_, d) => h('option', {value: String(d)}, String(d))),
  );
  const rate = h(
    'select',
    {},
    RATES.map((r) => h('option', {value: String(r), selected: r === DEFAULT_RATE}, String(r))),
  );
  const step = h('button', {type: 'button', class: 'btn btn-primary', onclick: advance}, 'Step');
  const stageList = h('ol', {class: 'step-stages', 'aria-label': 'Stages of the step'});
  const explain = h(
    'p',
    {class: 'step-explain', 'aria-live': 'polite'},
    'Pick the label and press Step: the first press runs the forward pass.',
  );
  const status = h('p', {class: 'status-line', role: 'status'});
  const strips = Object.fromEntries(SLOTS.map((n) => [n, strip(n)]));
  const titleId = uid('exp');
  const root = h(
    'section',
    {class: 'card exp step', 'aria-labelledby': titleId},
    h('h3', {id: titleId}, 'Watch it learn one step'),
    h(
      'p',
      {class: 'muted small'},
      'One step of training on the digit on the pad, as if it were labelled with the digit you pick. Each press ' +
        'of Step shows the next stage: what each layer outputs, how wrong the answer is (the loss), the gradient ' +
        'flowing back one layer at a time, then every weight moved against its gradient. The networks keep the step.',
    ),
    h(
      'div',
      {class: 'row gap step-controls'},
      field('Label for the step', label).wrap,
      field('Step size (learning rate)', rate).wrap,
      step,
    ),
    stageList,
    explain,
    status,
    legend(),
    h(
      'div',
      {class: 'step-strips'},
      SLOTS.map((n) => strips[n].el),
    ),
  );
  el.append(root);

  /** The step shown: {image, traces, label, lr, stages, at (index into stages)} or null. */
  let shown = null;

  async function advance() {
    if (shown && shown.at < shown.stages.length - 1) {
      shown.at++;
      render();
      return;
    }
    step.disabled = true;
    status.textContent = 'Taking the step…';
    status.classList.remove('error');
    try {
      const d = Number(label.value);
      const lr = Number(rate.value);
      const {image, traces} = await lab.stepTrace(d, lr);
      const groups = Object.fromEntries(SLOTS.map((n) => [n, stripGroups(lab.slots[n].info)]));
      const depth = Math.max(...SLOTS.map((n) => (traces[n].error ? 0 : groups[n].length)));
      shown = {image, traces, groups, label: d, lr, stages: stagesFor(depth), at: 0};
      status.textContent = '';
      for (const n of SLOTS)
        if (traces[n].error) status.textContent += `${SLOT_TITLE[n]}: ${errorText(traces[n].error)} `;
      status.classList.toggle('error', !!status.textContent);
      render();
    } catch (e) {
      status.textContent = errorText(e);
      status.classList.add('error');
    } finally {
      step.disabled = false;
    }
  }

  function render() {
    const stage = shown.stages[shown.at];
    root.dataset.stage = stage;
    stageList.replaceChildren(
      ...shown.stages.map((s, i) =>
        h('li', {'aria-current': i === shown.at ? 'step' : null, class: i < shown.at ? 'done' : null}, stageName(s)),
      ),
    );
    explain.textContent = stageText(stage, shown);
    for (const n of SLOTS) strips[n].show(shown, n, stage, lab.slots[n]);
  }

  // After the update, the pad's prediction with the moved weights says how much the step helped.
  lab.on('prediction', ({slot}) => {
    if (shown && shown.stages[shown.at] === 'update') strips[slot].show(shown, slot, 'update', lab.slots[slot]);
  });
  lab.on('model', ({slot}) => strips[slot].describe(lab.slots[slot]));
  for (const n of SLOTS) strips[n].describe(lab.slots[n]);
}

/** The layer groups a strip draws (the diagram's, without flatten, which only reshapes). */
function stripGroups(info) {
  if (!info) return [];
  return groupsOf(info).filter((g) => g.kind !== 'input' && g.kind !== 'flatten');
}

function stageName(stage) {
  if (stage.startsWith('backward-')) return `Back ${stage.slice(9)}`;
  return {forward: 'Forward', loss: 'Loss', update: 'Update'}[stage];
}

function stageText(stage, s) {
  const d = s.label;
  if (stage === 'forward')
    return 'Forward: the digit goes through each layer in turn. Each picture is what a layer outputs (the first few maps of a convolution), dark low, bright high.';
  if (stage === 'loss')
    return `Loss: how wrong the answer is if the digit is a ${d}: minus the log of the probability the network gives ${d}. A sure right answer costs almost nothing; a confident wrong one costs a lot.`;
  if (stage === 'update')
    return `Update: every weight moves by −${s.lr} × its gradient. A weight moves most where its input was large and the gradient at its output was large, which draws stripes. The pad now reads with the moved weights.`;
  return 'Backward: the gradient of the loss reaches one more layer, from the output back towards the input. Orange: raising that value would raise the loss; blue: it would lower it.';
}

/** What the colours mean. */
function legend() {
  return h(
    'div',
    {class: 'step-legend small muted'},
    h('span', {}, h('i', {class: 'swatch swatch-heat', 'aria-hidden': 'true'}), 'outputs: dark low → bright high'),
    h(
      'span',
      {},
      h('i', {class: 'swatch swatch-signed', 'aria-hidden': 'true'}),
      'outputs that can be negative (scores), gradients and weight changes: blue negative, white zero, orange positive',
    ),
    h('span', {}, 'each picture scaled to its own largest value, printed under it'),
  );
}

/** One network's strip: the input, one card per layer group, and the loss. */
function strip(name) {
  const meta = h('span', {class: 'step-meta small muted'});
  const cards = h('div', {class: 'step-cards'});
  const el = h(
    'section',
    {class: `step-strip step-${name}`, 'aria-label': `${SLOT_TITLE[name]}: one step`},
    h('h4', {}, h('span', {class: `chip chip-${name}`}, SLOT_TITLE[name]), ' ', meta),
    cards,
  );
  return {
    el,
    describe(slot) {
      meta.textContent = slot.info ? `${slot.title} · ${int(slot.info.params)} params` : '';
    },
    show(s, n, stage, slot) {
      const trace = s.traces[n];
      if (trace.error) {
        cards.replaceChildren(h('p', {class: 'error small'}, errorText(trace.error)));
        return;
      }
      const groups = s.groups[n];
      const at = s.stages.indexOf(stage);
      const back = stage === 'update' ? groups.length : stage.startsWith('backward-') ? Number(stage.slice(9)) : 0;
      const input = h(
        'figure',
        {class: 'step-card'},
        h('figcaption', {}, 'input'),
        mapCanvas(s.image, 28, 28, INK, 1, false, 56),
        h('small', {}, '28×28'),
      );
      const layerCards = groups.map((g, i) => {
        const layer = trace.layers[g.act];
        // g.shape: the group's output [c, h, w] (its activation keeps the layer's shape)
        const rows = [viewOf(layer.output, g.shape, hasNegatives(layer.output) ? 'signed' : 'heat')];
        if (groups.length - i <= back) rows.push(viewOf(layer.outputGradient, g.shape, 'signed', 'gradient'));
        if (stage === 'update' && g.layer !== undefined)
          rows.push(changeView(trace.layers[g.layer].change, g.shape[0]));
        return h('figure', {class: 'step-card', dataset: {layer: String(g.act)}}, h('figcaption', {}, g.title), rows);
      });
      cards.replaceChildren(input, ...layerCards, at >= 1 ? lossCard(trace, s.label, slot, stage) : null);
    },
  };
}

/** The loss box: p(label), −ln p, and after the update what the pad now gives the label. */
function lossCard(trace, d, slot, stage) {
  const p = trace.probs[d];
  const after = stage === 'update' && slot.prediction?.generation === slot.generation ? slot.prediction.probs[d] : null;
  return h(
    'figure',
    {class: 'step-card step-loss', dataset: {loss: String(trace.loss), p: String(p), label: String(d)}},
    h('figcaption', {}, 'loss'),
    h('p', {}, `p(${d}) = `, h('strong', {class: 'step-p'}, num(p))),
    h('p', {}, `−ln p(${d}) = `, h('strong', {class: 'step-loss-value'}, num(trace.loss))),
    after === null ? null : h('p', {class: 'small'}, `after the step p(${d}) = `, h('strong', {}, num(after))),
  );
}

/** A layer's values as pictures: feature maps (the first few) or a grid of neurons, with their scale. */
function viewOf(values, shape, kind, what = 'output') {
  const [c, hh, ww] = shape;
  const m = maxAbs(values);
  const lut = kind === 'heat' ? HEAT : SIGNED;
  const spatial = hh > 1 || ww > 1;
  let pics;
  if (spatial) {
    pics = Array.from({length: Math.min(c, CHANNELS)}, (_, k) =>
      mapCanvas(values.subarray(k * hh * ww, (k + 1) * hh * ww), ww, hh, lut, m, kind === 'signed', 30),
    );
  } else {
    const [rows, cols] = gridOf(values.length);
    pics = [mapCanvas(values, cols, rows, lut, m, kind === 'signed')];
  }
  const label = what === 'gradient' ? `max |grad| ${num(m)}` : `max ${num(m)}`;
  return h(
    'div',
    {class: `step-row step-${what}`},
    h('div', {class: spatial ? 'step-pics step-maps' : 'step-pics'}, pics),
    h('small', {}, label),
  );
}

/**
 * The weights' change of a dense or convolution layer of `units` neurons or filters (change: its
 * parameters' change, weights (units, inputs) then one bias each): one row per unit, its inputs across.
 */
function changeView(change, units) {
  const weights = change.length - units;
  const cols = weights / units;
  const m = maxAbs(change);
  const pic = mapCanvas(change.subarray(0, weights), cols, units, SIGNED, m, true);
  pic.classList.add('step-matrix');
  return h(
    'div',
    {class: 'step-row step-change'},
    pic,
    h('small', {}, `weights ${int(units)}×${int(cols)}: max |change| ${num(m)}`),
  );
}

/**
 * A canvas of w x h cells from values (cells past their end left at zero); signed: blue..white..orange
 * over -m..m, else lut over 0..m. maxWidth: its width on screen at most (CSS px).
 */
function mapCanvas(values, w, hgt, lut, m, signed = false, maxWidth = 96) {
  // On screen: at most maxWidth wide and 72 px high, cells at most 8 px, the shape kept where it fits.
  const width = Math.min(maxWidth, w * 8);
  const height = Math.max(6, Math.min(72, (width * hgt) / w));
  const canvas = h('canvas', {
    class: 'px',
    width: w,
    height: hgt,
    'aria-hidden': 'true',
    style: {width: `${width}px`, height: `${height}px`},
  });
  const scale = m || 1;
  const cells = new Float32Array(w * hgt).fill(signed ? 0.5 : 0);
  for (let i = 0; i < Math.min(values.length, cells.length); i++)
    cells[i] = signed ? 0.5 + values[i] / (2 * scale) : values[i] / scale;
  paint(canvas, cells, w, hgt, lut, 1);
  return canvas;
}

const hasNegatives = (values) => values.some((v) => v < 0);

function maxAbs(values) {
  let m = 0;
  for (const v of values) if (Math.abs(v) > m) m = Math.abs(v);
  return m;
}

/** Rows and columns for n neurons: one row up to 16, else the squarest grid n fills exactly. */
function gridOf(n) {
  if (n <= 16) return [1, n];
  let rows = Math.floor(Math.sqrt(n));
  while (n % rows) rows--;
  return rows === 1 ? [Math.ceil(n / 16), 16] : [rows, n / rows];
}
