// What the two evaluations say together: the headline (how many of the MLP's errors the
// CNN corrects), each confusion matrix, and the accuracy per digit. Each function
// builds its part from the evaluations (Reply.EVALUATION) it is given.
import {h} from '../../ui/dom.js';
import {int, pct} from '../../ui/format.js';
import {SLOT_TITLE} from '../words.js';

/** The headline for the MLP's and the CNN's evaluations (either may be null). */
export function headline(m, c) {
  if (!m || !c) return [h('p', {class: 'muted'}, 'Evaluate both networks to compare their mistakes digit by digit.')];
  const cnnWrong = new Set(c.misclassified);
  const mlpWrong = new Set(m.misclassified);
  const fixedByCnn = m.misclassified.filter((i) => !cnnWrong.has(i)).length;
  const cnnOnly = c.misclassified.filter((i) => !mlpWrong.has(i)).length;
  const both = m.misclassified.length - fixedByCnn;
  return [
    h(
      'p',
      {class: 'big'},
      'The CNN corrects ',
      h('b', {class: 'c-cnn'}, int(fixedByCnn)),
      ' of the MLP\u2019s ',
      h('b', {class: 'c-mlp'}, int(m.misclassified.length)),
      ' errors.',
    ),
    h(
      'p',
      {class: 'muted'},
      `Both get ${int(both)} of the same digits wrong, and the CNN makes ${int(cnnOnly)} mistakes of its own that the MLP gets right. ` +
        `Test accuracy: MLP ${pct(m.accuracy)}, CNN ${pct(c.accuracy)}.`,
    ),
  ];
}

/**
 * Slot n's confusion matrix (ev: its evaluation, or null): rows the true digit, columns the
 * prediction; a cell is a button (onCell(t, p)), `selected` {t, p} the one filtering the gallery.
 */
export function matrix(n, ev, selected, onCell) {
  if (!ev) return h('p', {class: 'muted small'}, 'Not evaluated yet.');
  const cm = ev.confusion;
  let maxOff = 1;
  let maxDiag = 1;
  for (let t = 0; t < 10; t++) {
    for (let p = 0; p < 10; p++) {
      const v = cm[t * 10 + p];
      if (t === p) maxDiag = Math.max(maxDiag, v);
      else maxOff = Math.max(maxOff, v);
    }
  }
  const head = h(
    'tr',
    {},
    h('th', {class: 'corner', scope: 'col'}, h('span', {class: 'sr-only'}, 'true digit'), 't\\p'),
    Array.from({length: 10}, (_, p) => h('th', {scope: 'col'}, String(p))),
  );
  const body = Array.from({length: 10}, (_, t) =>
    h(
      'tr',
      {},
      h('th', {scope: 'row'}, String(t)),
      Array.from({length: 10}, (_, p) => {
        const v = cm[t * 10 + p];
        const diag = t === p;
        const alpha = diag ? 0.12 + 0.7 * (v / maxDiag) : v ? 0.12 + 0.88 * Math.sqrt(v / maxOff) : 0;
        const isSelected = selected && selected.t === t && selected.p === p;
        const style = {'--a': alpha.toFixed(3)};
        const cls = `${diag ? 'diag' : 'off'}${v ? '' : ' zero'}${isSelected ? ' sel' : ''}${alpha > 0.5 ? ' hot' : ''}`;
        if (!v) return h('td', {class: cls, style}, '');
        return h(
          'td',
          {class: cls, style},
          h(
            'button',
            {
              type: 'button',
              class: 'cell',
              'aria-label': `${SLOT_TITLE[n]}: true ${t}, predicted ${p}: ${v} digits`, // two matrices on the page
              onclick: () => onCell(t, p),
            },
            String(v),
          ),
        );
      }),
    ),
  );
  return h('table', {class: `confusion confusion-${n}`}, h('thead', {}, head), h('tbody', {}, body));
}

/** Accuracy per digit, a bar per slot: evaluations by slot name (null where none). */
export function perClass(evaluations) {
  const names = Object.keys(evaluations);
  const evs = names.map((n) => evaluations[n]);
  if (!evs.some(Boolean)) return [h('p', {class: 'muted small'}, 'Not evaluated yet.')];
  const all = evs.filter(Boolean).flatMap((e) => e.per_class);
  const lo = Math.max(0, Math.floor(Math.min(...all) * 20) / 20 - 0.05);
  return [
    h('p', {class: 'small muted'}, `Bars start at ${pct(lo, 0)}.`),
    ...Array.from({length: 10}, (_, d) =>
      h(
        'div',
        {class: 'pc-row'},
        h('span', {class: 'pc-d'}, String(d)),
        h(
          'div',
          {class: 'pc-bars'},
          names.map((n, k) => {
            const ev = evs[k];
            if (!ev) return null;
            const v = ev.per_class[d];
            return h(
              'div',
              {class: `pc-bar pc-${n}`},
              h('span', {class: 'pc-fill', style: {width: `${Math.max(0, ((v - lo) / (1 - lo)) * 100)}%`}}),
              h('span', {class: 'pc-v'}, `${SLOT_TITLE[n]} ${pct(v)}`),
            );
          }),
        ),
      ),
    ),
  ];
}
