// What each neuron of the MLP's first layer looks for: its 784 weights as a 28x28 picture
// (green where ink pushes it up, magenta where ink pushes it down), with a bar under each
// for how strongly it fires on the digit in focus. Repainted whenever it is given new
// parameters, so it changes as the network trains. One roving tab stop; pressing a
// picture selects that neuron on the diagram.
import {paint} from '../../ui/color.js';
import {h} from '../../ui/dom.js';
import {int} from '../../ui/format.js';
import {PIYG} from './colors.js';
import {roving} from './roving.js';

const FIRST = 48; // pictures shown until the reader asks for all

/**
 * select(k): the reader pressed neuron k's picture; show(text, at): point at (or leave, '') a picture.
 * @param {{select: (k: number) => void, show: (text: string, at: HTMLElement | null) => void}} hooks
 */
export function firstLayerCard(hooks) {
  const list = h('div', {class: 'fl-grid', role: 'group', 'aria-label': 'First-layer neurons'});
  const more = h('button', {type: 'button', class: 'btn btn-sm btn-ghost', onclick: () => toggle()});
  const note = h('p', {class: 'small muted'});
  const el = h(
    'section',
    {class: 'card fl-card', 'aria-labelledby': 'fl-h', hidden: true},
    h('h3', {id: 'fl-h'}, 'What the MLP’s first-layer neurons look for'),
    note,
    h(
      'div',
      {class: 'net-legend small'},
      h('span', {}, h('i', {class: 'lg lg-up'}), 'ink here pushes the neuron up'),
      h('span', {}, h('i', {class: 'lg lg-down'}), 'ink here pushes it down'),
      h('span', {}, h('i', {class: 'lg lg-fire'}), 'how strongly it fires on this digit'),
    ),
    list,
    more,
  );
  roving(list, {});
  let all = false;
  let state = null; // {G, params, values, step}
  let painted = {params: null, count: 0}; // the pictures drawn: from which parameters, how many

  function toggle() {
    all = !all;
    render();
  }

  /** G: the first dense group (compute.js firstDenseOnImage) or null; values: its outputs for the digit (or null). */
  function update(G, params, values, step = 0) {
    state = G && params ? {G, params, values, step} : null;
    render();
  }

  function render() {
    el.hidden = !state;
    if (!state) return;
    const {G, params, values} = state;
    const n = G.flat;
    const shown = all ? n : Math.min(n, FIRST);
    el.dataset.step = String(state.step);
    note.textContent =
      `Each of the ${int(n)} neurons of the first layer takes a weighted sum of the 784 pixels; its weights, drawn as the image they ` +
      `multiply, are the pattern it responds to. ${shown < n ? `The first ${shown} of them; ` : ''}they change as the MLP trains.`;
    more.textContent = all ? `Show the first ${FIRST}` : `Show all ${int(n)}`;
    more.hidden = n <= FIRST;
    while (list.children.length > shown) list.lastChild.remove();
    while (list.children.length < shown) list.append(tile(list.children.length));
    let fire = 0;
    if (values) for (let k = 0; k < n; k++) fire = Math.max(fire, values[k]);
    // A new digit changes only the bars; the pictures are drawn again when the weights change.
    const fresh = painted.params !== params || painted.count !== shown;
    painted = {params, count: shown};
    for (let k = 0; k < shown; k++) {
      const b = /** @type {HTMLElement} */ (list.children[k]);
      if (fresh)
        paint(/** @type {HTMLCanvasElement} */ (b.firstChild), params, 28, 28, PIYG, 'signed', G.offset + k * G.inFlat);
      const f = values && fire > 0 ? Math.max(0, values[k]) / fire : 0;
      /** @type {HTMLElement} */ (b.lastChild).style.width = `${(f * 100).toFixed(1)}%`;
      b.setAttribute('aria-label', `neuron ${k}${values ? `, fires ${values[k].toFixed(3)}` : ''}`);
    }
  }

  function tile(k) {
    const b = h(
      'button',
      {type: 'button', class: 'fl-tile', tabindex: k === 0 ? 0 : -1, dataset: {k: String(k)}},
      h('canvas', {width: 28, height: 28}),
      h('span', {class: 'fl-fire'}),
    );
    const say = () => hooks.show(b.getAttribute('aria-label') ?? '', b);
    b.addEventListener('pointerenter', say);
    b.addEventListener('focus', say);
    b.addEventListener('pointerleave', () => hooks.show('', null));
    b.addEventListener('blur', () => hooks.show('', null));
    b.addEventListener('click', () => hooks.select(k));
    return b;
  }

  return {el, update};
}
