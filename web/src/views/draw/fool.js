// "Fool it": the core nudges the digit each model reads, by small gradient-sign steps within
// a bound on each pixel's change, until the model says the chosen digit or gives up. Shows
// the nudged digit, the change, the ink it took, and whether the other model falls for the
// same image.
import {FOOL_SETTINGS} from '../../model/experiments.js';
import {SLOTS} from '../../lab.js';
import {INK, paint, SIGNED} from '../../ui/color.js';
import {h, uid} from '../../ui/dom.js';
import {argmax, pct} from '../../ui/format.js';
import {errorText, SLOT_TITLE} from '../words.js';

const ABOUT =
  `Pick a digit and the core nudges every pixel a little at a time (by no more than ${FOOL_SETTINGS.epsilon} ` +
  `of full ink on any pixel), each step in the direction that most raises that digit’s score, until the network ` +
  `says it or ${FOOL_SETTINGS.maxSteps} steps pass. Each network is nudged on its own; then the other one ` +
  'reads the same nudged image.';
const MEANING = [
  'What this says: a network’s answer can be flipped by faint, scattered changes that a person would not ' +
    'read as a different digit, and the ink it took measures how close this digit sat to that network’s edge.',
  'What it does not say: that one architecture is safe. CNNs fall for such nudges as MLPs do, an image made ' +
    'for one network often leaves the other unmoved, and the ink it takes changes from digit to digit.',
];

const other = (n) => SLOTS.find((o) => o !== n);

/** One model's result -> {el, show(result), clear(text)}. */
function modelResult(name) {
  const nudged = h('canvas', {class: 'px', width: 28, height: 28, role: 'img', 'aria-label': 'The nudged digit'});
  const change = h('canvas', {class: 'px', width: 28, height: 28, role: 'img', 'aria-label': 'What the nudge changed'});
  const verdict = h('p', {class: 'fool-verdict'});
  const ink = h('p', {class: 'small'});
  const cross = h('p', {class: 'small'});
  const el = h(
    'div',
    {class: `fool-result fool-${name}`, dataset: {slot: name}},
    h('h4', {}, h('span', {class: `chip chip-${name}`}, SLOT_TITLE[name]), ' nudged'),
    h(
      'div',
      {class: 'fool-pics'},
      h('figure', {}, nudged, h('figcaption', {}, 'Nudged digit')),
      h('figure', {}, change, h('figcaption', {}, 'Change')),
    ),
    verdict,
    ink,
    cross,
  );
  return {
    el,
    show(r) {
      const said = argmax(r.probs);
      el.dataset.reached = String(r.reached);
      el.dataset.digit = String(said);
      el.dataset.l1 = String(r.l1);
      el.dataset.linf = String(r.linf);
      paint(nudged, r.image, 28, 28, INK, 1);
      // 0.5 is no change; 0 and 1 the most any pixel may change (epsilon), taken away or added.
      const e = FOOL_SETTINGS.epsilon;
      paint(
        change,
        r.image.map((v, i) => 0.5 + (v - r.original[i]) / (2 * e)),
        28,
        28,
        SIGNED,
        1,
      );
      verdict.textContent = r.reached
        ? `Fooled: it now says ${said} (${pct(r.probs[said], 1)}) after ${r.steps} steps.`
        : `Gave up after ${r.steps} steps: it still says ${said} (${pct(r.probs[said], 1)}), ${pct(r.probs[r.target], 1)} for ${r.target}.`;
      ink.textContent = `Ink it took: ${r.l1.toFixed(1)} pixels’ worth in all (the sum of every change), at most ${r.linf.toFixed(2)} on one pixel.`;
      if (!r.other) cross.textContent = `The ${SLOT_TITLE[other(name)]} could not read it.`;
      else {
        const o = argmax(r.other);
        const fooled = o === r.target;
        el.dataset.otherDigit = String(o);
        cross.textContent = `The same image to the ${SLOT_TITLE[other(name)]}: it says ${o} (${pct(r.other[o], 1)}), ${fooled ? 'fooled too' : 'not fooled'}.`;
      }
    },
    clear(text) {
      for (const k of ['reached', 'digit', 'l1', 'linf', 'otherDigit']) delete el.dataset[k];
      for (const c of [nudged, change]) c.getContext('2d').clearRect(0, 0, 28, 28);
      verdict.textContent = text;
      ink.textContent = '';
      cross.textContent = '';
    },
  };
}

export function mount(el, lab) {
  const titleId = uid('exp');
  const selectId = uid('fool');
  const target = h(
    'select',
    {id: selectId},
    Array.from({length: 10}, (_, d) => h('option', {value: d, selected: d === 3}, String(d))),
  );
  const button = h('button', {type: 'button', class: 'btn btn-primary'}, 'Fool them');
  const status = h('p', {class: 'status-line', role: 'status'});
  const results = Object.fromEntries(SLOTS.map((n) => [n, modelResult(n)]));
  const out = h(
    'div',
    {class: 'fool-out'},
    h(
      'div',
      {class: 'fool-results'},
      SLOTS.map((n) => results[n].el),
    ),
    h(
      'div',
      {class: 'fool-legend small'},
      h('span', {}, 'Change: ink taken away'),
      h('span', {class: 'sal-ramp', 'aria-hidden': 'true'}),
      h('span', {}, `ink added (full colour: a change of ${FOOL_SETTINGS.epsilon})`),
    ),
    MEANING.map((t) => h('p', {class: 'small'}, t)),
  );
  out.hidden = true;

  button.addEventListener('click', async () => {
    const digit = Number(target.value);
    button.disabled = true;
    status.textContent = `Nudging both networks towards ${digit}…`;
    try {
      const fooled = await lab.fool(digit);
      for (const n of SLOTS) {
        if (fooled[n].error) results[n].clear(fooled[n].error);
        else results[n].show(fooled[n]);
      }
      out.hidden = false;
      status.textContent = '';
    } catch (e) {
      status.textContent = errorText(e);
    } finally {
      ready();
    }
  });
  // A result belongs to the digit it was made from.
  const stale = () => {
    out.hidden = true;
  };
  const ready = () => {
    button.disabled = lab.focus.source === 'none';
  };
  lab.on('focus', ready);
  ready();
  lab.on('focus', stale);
  lab.on('feed', stale);
  lab.on('move', stale);

  el.append(
    h(
      'section',
      {class: 'card exp exp-fool', 'aria-labelledby': titleId},
      h('h3', {id: titleId}, 'Fool it'),
      h('p', {class: 'muted'}, ABOUT),
      h('div', {class: 'row gap'}, h('label', {for: selectId}, 'Make it say'), target, button),
      status,
      out,
    ),
  );
}
