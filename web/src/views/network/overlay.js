// The diagram's neurons as controls: a transparent button over each neuron of a band and
// each output of the drawn network, one roving tab stop per layer. Pointing at one or
// focusing it says its value (`describe`); pressing it selects it (`select`). The maps of a
// stack are pointed at on the canvas itself (`stackAt` finds the position under the pointer).
import {h} from '../../ui/dom.js';
import {point} from '../netdiagram.js';
import {roving} from './roving.js';

/**
 * Builds the layer of controls over the canvas (append `el` over it, same size).
 * describe(g, k): what unit k of group g is and holds (its name and value);
 * select(g, k): the reader pressed it; show(text, button | null): point at or leave a unit.
 * @param {{describe: (g: number, k: number) => string, select: (g: number, k: number) => void,
 *   show: (text: string, at: HTMLElement | null) => void, name: (g: number) => string}} hooks
 */
export function unitOverlay(hooks) {
  const el = h('div', {class: 'net-units'});
  let key = '';
  const groupsEl = [];

  /** Places a button over every selectable unit (again only when the layout or its scale changed). */
  function place(groups, layout, scale) {
    const k = `${groups.map((G) => `${G.kind}${G.flat}`).join()}|${layout.vertical}|${scale.toFixed(4)}`;
    if (k === key) return;
    key = k;
    el.replaceChildren();
    groupsEl.length = 0;
    groups.forEach((G, g) => {
      const box = layout.boxes[g];
      if (box.type !== 'band' && box.type !== 'output') return;
      const size = box.type === 'output' ? 24 : Math.max(2, box.cs * scale);
      const group = h('div', {role: 'group', 'aria-label': hooks.name(g)});
      for (let u = 0; u < G.flat; u++) {
        const [x, y] = point(box, u, G.shape);
        const b = h('button', {
          type: 'button',
          class: 'net-unit',
          tabindex: u === 0 ? 0 : -1,
          'aria-label': `${hooks.name(g)}, ${box.type === 'output' ? 'digit' : 'neuron'} ${u}`,
          dataset: {g: String(g), k: String(u)},
          style: {
            left: `${x * scale - size / 2}px`,
            top: `${y * scale - size / 2}px`,
            width: `${size}px`,
            height: `${size}px`,
          },
        });
        group.append(b);
      }
      roving(group);
      groupsEl[g] = group;
      el.append(group);
    });
  }

  const unitOf = (t) => (t instanceof HTMLElement && t.classList.contains('net-unit') ? t : null);
  const say = (b) => hooks.show(hooks.describe(Number(b.dataset.g), Number(b.dataset.k)), b);
  el.addEventListener('pointerover', (e) => {
    const b = unitOf(e.target);
    if (b) say(b);
  });
  el.addEventListener('pointerout', (e) => {
    if (unitOf(e.target) && document.activeElement !== e.target) hooks.show('', null);
  });
  el.addEventListener('focusin', (e) => {
    const b = unitOf(e.target);
    if (b) say(b);
  });
  el.addEventListener('focusout', () => hooks.show('', null));
  el.addEventListener('click', (e) => {
    const b = unitOf(e.target);
    if (b) hooks.select(Number(b.dataset.g), Number(b.dataset.k));
  });

  /** The button of unit k of group g (to give focus back to it), if placed. */
  const button = (g, k) => /** @type {HTMLElement | null} */ (groupsEl[g]?.children[k] ?? null);

  return {
    el,
    place,
    button,
    refresh: () => {
      const b = unitOf(document.activeElement);
      if (b && el.contains(b)) say(b);
    },
  };
}

/**
 * The map position under a point of the canvas (layout units), for the stacks of spatial layers:
 * {g, r, c} on the front map of group g's stack, or null.
 */
export function stackAt(groups, layout, x, y) {
  for (let g = 0; g < groups.length; g++) {
    const box = layout.boxes[g];
    if (box.type !== 'stack') continue;
    const [, H, W] = groups[g].shape;
    const c = Math.floor((x - box.x) / box.cell);
    const r = Math.floor((y - box.y) / box.cell);
    if (r >= 0 && r < H && c >= 0 && c < W) return {g, r, c};
  }
  return null;
}

/**
 * A tip over `container` (positioned) that says the value of what the reader points at or
 * focuses: show(text, at) puts it just above `at`, an element or a client rect {left, top, width,
 * height} (text '': hides it). It never takes the
 * pointer, so it cannot cover what it describes from the reader's hand.
 * @param {HTMLElement} container
 */
export function valueTip(container) {
  const el = h('div', {class: 'net-tip', role: 'status', hidden: true});
  container.append(el);
  function show(text, at) {
    el.hidden = !text;
    if (!text || !at) return;
    el.textContent = text;
    const box = container.getBoundingClientRect();
    const r = at instanceof Element ? at.getBoundingClientRect() : at;
    const x = Math.max(4, Math.min(r.left - box.left + r.width / 2, box.width - el.offsetWidth / 2 - 4));
    el.style.left = `${Math.max(el.offsetWidth / 2 + 4, x)}px`;
    el.style.top = `${r.top - box.top - 6}px`;
  }
  return {el, show};
}
