// Each model's answer with all ten probabilities, as bars on a log-odds scale (a network
// 99.9% sure and one 99.99% sure draw different bars), and the cue that says when what
// is on the pad is no digit to read.
import {h, uid} from '../../ui/dom.js';
import {argmax, int} from '../../ui/format.js';
import {modelBadge, SLOT_TITLE} from '../words.js';

// The bar spans log10 of the odds from LOW to HIGH: 0.1% is an empty bar, 99.999% a full one.
const LOW = -3;
const HIGH = 5;
/** Tick labels under the bars: [log10 odds, text]. */
/** @type {[number, string][]} */
const TICKS = [
  [-2, '1%'],
  [0, '50%'],
  [2, '99%'],
  [4, '99.99%'],
];
/** Below this probability an answer is a guess (the cue says so). */
const SURE = 0.7;

export const SCALE_NOTE =
  'Bar length is the log-odds: each tick multiplies the odds by ten (1%, 9%, 50%, 91%, 99%, 99.9%, 99.99%), ' +
  'so a network 99.9% sure and one 99.99% sure show different bars.';

/** 1 - probs[d], summed from the other nine (exact where 1 - p would round to 0 in float32). */
function rest(probs, d) {
  let sum = 0;
  for (let i = 0; i < probs.length; i++) if (i !== d) sum += probs[i];
  return sum;
}

/** The bar's length (0..1) for probability p, where `against` = 1 - p. */
export function barLength(p, against) {
  if (!(against > 0)) return 1;
  if (!(p > 0)) return 0;
  const t = (Math.log10(p / against) - LOW) / (HIGH - LOW);
  return Math.min(1, Math.max(0, t));
}

/** A probability as text, with as many nines as tell it apart near 100% (against = 1 - p). */
export function probText(p, against) {
  if (against < 0.005) {
    if (against < 1e-6) return '>99.9999%';
    const digits = Math.min(4, Math.max(1, Math.ceil(-Math.log10(against)) - 2));
    const f = 10 ** digits;
    return `${(Math.floor((100 - 100 * against) * f + 1e-6) / f).toFixed(digits)}%`;
  }
  if (p < 1e-4) return '<0.01%';
  return `${(100 * p).toFixed(p < 0.01 ? 2 : 1)}%`;
}

/** The ticks under a panel's bars, at their places on the scale. */
function scaleRow() {
  return h(
    'div',
    {class: 'bars-scale', 'aria-hidden': 'true'},
    h(
      'span',
      {class: 'ticks'},
      TICKS.map(([odds, text]) =>
        h('span', {style: {left: `${(((odds - LOW) / (HIGH - LOW)) * 100).toFixed(2)}%`}}, text),
      ),
    ),
  );
}

/**
 * One model's answer panel: {el, show(probs), reset(), describe(slot)}. `attrs`: the article's
 * data attributes (the pad's panels carry data-model, which outside scripts read).
 */
export function answerPanel(name, attrs = {dataset: {model: name}}) {
  const titleId = uid('pred');
  const digit = h('span', {class: 'pred-digit', 'aria-hidden': 'true'}, '–');
  const conf = h('span', {class: 'pred-conf'}, '');
  const meta = h('span', {class: 'pred-meta'}, 'loading…');
  // Whose model answers, and what kind of network it is ("your linear classifier"): model/slot.js owner and kind.
  const badge = h('span', {class: `chip chip-${name}`}, SLOT_TITLE[name]);
  const rows = Array.from({length: 10}, (_, d) => {
    const fill = h('span', {class: 'fill'});
    const value = h('span', {class: 'v'}, '—');
    const li = h('li', {}, h('span', {class: 'd'}, String(d)), h('span', {class: 'track'}, fill), value);
    return {fill, value, li};
  });
  const el = h(
    'article',
    {class: `pred pred-${name}`, ...attrs, 'aria-labelledby': titleId},
    h('header', {}, h('h3', {id: titleId}, badge, meta), h('div', {class: 'pred-top'}, digit, conf)),
    h(
      'ol',
      {class: 'bars', 'aria-label': `${SLOT_TITLE[name]} probabilities`},
      rows.map((r) => r.li),
    ),
    scaleRow(),
  );
  return {
    el,
    show(probs) {
      const top = argmax(probs);
      el.dataset.digit = String(top);
      digit.textContent = String(top);
      const sure = probText(probs[top], rest(probs, top));
      conf.textContent = probs[top] < SURE ? `only ${sure} sure` : `${sure} sure`;
      el.classList.toggle('unsure', probs[top] < SURE);
      probs.forEach((p, d) => {
        const against = rest(probs, d);
        rows[d].fill.style.transform = `scaleX(${Math.max(0.005, barLength(p, against)).toFixed(4)})`;
        rows[d].value.textContent = probText(p, against);
        rows[d].li.classList.toggle('top', d === top);
      });
    },
    /** busy: a newer input is being read, so the answer shown may be an older one's (aria-busy). */
    busy(on) {
      el.setAttribute('aria-busy', String(on));
    },
    reset() {
      delete el.dataset.digit;
      digit.textContent = '–';
      conf.textContent = '';
      el.classList.remove('unsure');
      for (const r of rows) {
        r.fill.style.transform = 'scaleX(0)';
        r.value.textContent = '—';
        r.li.classList.remove('top');
      }
    },
    describe(slot) {
      badge.textContent = modelBadge(slot);
      badge.dataset.owner = slot.owner ?? '';
      if (slot.error) meta.textContent = 'unavailable';
      else if (!slot.info) meta.textContent = 'loading weights…';
      else {
        const origin =
          {
            shipped: 'pretrained',
            imported: 'loaded from file',
            training: 'training now',
            trained: 'trained here',
            restored: 'trained here, restored',
          }[slot.origin] || '';
        meta.textContent = `${slot.title} · ${int(slot.info.params)} params${origin ? ` · ${origin}` : ''}`;
      }
    },
  };
}

/**
 * Whether what the models read is no digit to read, in words, or null:
 * empty (nothing drawn), tiny (the ink spans a speck of the pad), or no model sure.
 * probs: {mlp, cnn} each model's probabilities (or null).
 * @returns {{kind: 'empty'|'speck'|'unsure', text: string} | null}
 */
export function notADigit({empty, tiny, probs}) {
  if (empty) return {kind: 'empty', text: 'Nothing to read: the pad is empty. Draw a digit, 0 to 9.'};
  if (tiny) {
    return {
      kind: 'speck',
      text: 'Not a digit: a dot or a speck. Each network must still pick one of 0 to 9, so its answer here is no reading.',
    };
  }
  const unsure = Object.entries(probs).filter(([, p]) => p && p[argmax(p)] < SURE);
  if (!unsure.length) return null;
  const who = unsure.map(([n, p]) => `the ${SLOT_TITLE[n]} ${Math.round(100 * p[argmax(p)])}%`).join(', ');
  const all = unsure.length === Object.values(probs).filter(Boolean).length;
  return {
    kind: 'unsure',
    text: all
      ? `Not sure this is a digit: no network is confident (${who}).`
      : `Not sure: ${who} is guessing. To it this is not clearly any digit.`,
  };
}
