// The gallery of misclassified test digits: which digits a filter keeps (all mistakes,
// one network's, both, those the CNN fixes, or one confusion cell), the filter buttons,
// and a tile per digit with both networks' answers.
import {INK, paint} from '../../ui/color.js';
import {h} from '../../ui/dom.js';
import {SLOT_TITLE} from '../words.js';

export const PAGE = 48; // tiles shown at first, and added by "Show more"
const SAME_DIGIT_MAX = 240; // a diagonal cell lists at most this many right answers

/**
 * @typedef {object} Filter
 * @property {'all' | 'mlp' | 'cnn' | 'both' | 'fixed' | 'cell'} kind
 * @property {{slot: string, t: number, p: number} | null} cell  a confusion cell: true t, predicted p by slot
 */

/** @type {Filter} */
export const ALL = {kind: 'all', cell: null};

/** Whether two filters pick the same confusion cell. */
export const sameCell = (a, b) => !!a && !!b && a.slot === b.slot && a.t === b.t && a.p === b.p;

/**
 * The test digits a filter keeps, in index order: labels (10,000), evaluations by slot (mlp,
 * cnn; each with misclassified and predicted, or null).
 */
export function keep(filter, labels, evaluations) {
  const wrong = Object.fromEntries(Object.entries(evaluations).map(([n, ev]) => [n, new Set(ev?.misclassified ?? [])]));
  const cell = filter.cell;
  if (cell && cell.t === cell.p) {
    // A diagonal cell: the digits that network gets right.
    const out = [];
    for (let i = 0; i < labels.length && out.length < SAME_DIGIT_MAX; i++)
      if (labels[i] === cell.t && !wrong[cell.slot].has(i)) out.push(i);
    return out.filter((i) => evaluations[cell.slot]?.predicted?.[i] === cell.p);
  }
  const union = [...new Set([...wrong.mlp, ...wrong.cnn])].sort((a, b) => a - b);
  return union.filter((i) => {
    const m = wrong.mlp.has(i);
    const c = wrong.cnn.has(i);
    switch (cell ? 'cell' : filter.kind) {
      case 'mlp':
        return m;
      case 'cnn':
        return c;
      case 'both':
        return m && c;
      case 'fixed':
        return m && !c;
      case 'cell':
        return labels[i] === cell.t && evaluations[cell.slot]?.predicted?.[i] === cell.p;
      default:
        return m || c;
    }
  });
}

/**
 * The filter buttons: those the evaluations allow (m, c: the MLP's and the CNN's, or null),
 * plus the confusion cell in use. onFilter(kind); onCell(cell) to let go of the cell.
 */
export function filterButtons(filter, m, c, onFilter, onCell) {
  const opts = [
    ['all', 'All mistakes'],
    ['mlp', 'MLP wrong'],
    ['cnn', 'CNN wrong'],
    ['both', 'Both wrong'],
    ['fixed', 'Fixed by the CNN'],
  ];
  const buttons = opts
    .filter(([k]) => k === 'all' || (m && c) || (k === 'mlp' && m) || (k === 'cnn' && c))
    .map(([k, label]) =>
      h('button', {type: 'button', 'aria-pressed': String(filter.kind === k), onclick: () => onFilter(k)}, label),
    );
  if (filter.cell) {
    const {slot, t, p} = filter.cell;
    buttons.push(
      h(
        'button',
        {type: 'button', 'aria-pressed': 'true', onclick: () => onCell(filter.cell)},
        `${SLOT_TITLE[slot]}: ${t} read as ${p} ✕`,
      ),
    );
  }
  return buttons;
}

/** The gallery's title for a filter keeping `count` digits. */
export function title(filter, count) {
  const cell = filter.cell;
  return cell
    ? `${SLOT_TITLE[cell.slot]}: true ${cell.t}, predicted ${cell.p} (${count})`
    : `Misclassified test digits (${count})`;
}

/**
 * One digit: index, label, the MLP's and the CNN's answers (pm, pc), img its 784 bytes;
 * focused: it is the digit in focus; onOpen() when clicked.
 */
export function tile({index, label, pm, pc, img, focused, onOpen}) {
  const c = h('canvas', {class: 'px', width: 28, height: 28, 'aria-hidden': 'true'});
  const f = new Float32Array(784);
  for (let k = 0; k < 784; k++) f[k] = img[k] / 255;
  paint(c, f, 28, 28, INK, 1);
  const mark = (n, p) =>
    h('span', {class: `g-pred ${p === label ? 'right' : 'wrong'} g-${n}`}, `${SLOT_TITLE[n]} ${p}`);
  return h(
    'button',
    {
      type: 'button',
      class: `g-tile${focused ? ' focus' : ''}`,
      dataset: {index},
      onclick: onOpen,
    },
    // The name is the visible words (true 4, MLP 9, CNN 4) after this, so voice control finds them.
    h('span', {class: 'sr-only'}, `Test digit ${index}: `),
    c,
    h('span', {class: 'g-label'}, `true ${label}`),
    h('span', {class: 'g-preds'}, mark('mlp', pm), mark('cnn', pc)),
  );
}
