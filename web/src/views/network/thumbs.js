// Every feature map of each convolution, as a row of live thumbnails under the diagram
// (one roving tab stop per layer): they are repainted with each prediction, so they
// change as the network trains. Pointing at a thumbnail says the value under the pointer;
// pressing one selects that map, at the pointed position (or the map's peak from the keyboard).
import {HEAT, paint} from '../../ui/color.js';
import {h} from '../../ui/dom.js';
import {roving} from './roving.js';

/**
 * hooks.show(text, at): point at a map position (text '' when leaving); hooks.describe(g, m, r, c):
 * that position's name and value; hooks.select(g, m, r, c): the reader pressed a map (r, c: null
 * from the keyboard).
 * @param {{show: (text: string, at: HTMLElement | null) => void, describe: (g: number, m: number, r: number,
 *   c: number) => string, select: (g: number, m: number, r: number | null, c: number | null) => void}} hooks
 */
export function mapThumbnails(hooks) {
  const el = h('div', {class: 'net-maps'});
  let key = '';
  let rows = []; // [{g, G, buttons: HTMLButtonElement[]}]

  /** Builds a row per convolution of `groups` (again only when the network changed). */
  function build(groups) {
    const k = groups.map((G) => `${G.kind}${G.shape}`).join('|');
    if (k === key) return;
    key = k;
    rows = [];
    el.replaceChildren();
    groups.forEach((G, g) => {
      if (G.kind !== 'conv') return;
      const [m, H, W] = G.shape;
      const nth = rows.length + 1;
      const name = `convolution ${nth} (${G.title})`;
      const list = h('div', {class: 'net-map-list', role: 'group', 'aria-label': `${m} feature maps of ${name}`});
      const buttons = [];
      for (let f = 0; f < m; f++) {
        const canvas = h('canvas', {width: W, height: H});
        const b = h(
          'button',
          {
            type: 'button',
            class: 'net-map',
            tabindex: f === 0 ? 0 : -1,
            'aria-label': `map ${f} of convolution ${nth}`,
          },
          canvas,
        );
        /** @returns {[number, number]} the map position (row, column) under the pointer */
        const at = (e) => {
          const r = Math.min(H - 1, Math.max(0, Math.floor((e.offsetY / canvas.clientHeight) * H)));
          const c = Math.min(W - 1, Math.max(0, Math.floor((e.offsetX / canvas.clientWidth) * W)));
          return [r, c];
        };
        canvas.addEventListener('pointermove', (e) => hooks.show(hooks.describe(g, f, ...at(e)), b));
        b.addEventListener('pointerleave', () => hooks.show('', null));
        b.addEventListener('focus', () => hooks.show(hooks.describe(g, f, -1, -1), b));
        b.addEventListener('blur', () => hooks.show('', null));
        b.addEventListener('click', (e) => {
          // A pointer's click picks the position under it; Enter or Space (detail 0) the map's peak.
          if (e.detail > 0 && e.target === canvas) hooks.select(g, f, ...at(e));
          else hooks.select(g, f, null, null);
        });
        buttons.push(b);
        list.append(b);
      }
      roving(list);
      el.append(
        h('div', {class: 'net-map-row'}, h('p', {class: 'small muted'}, `${G.title}: ${m} maps of ${H}×${W}`), list),
      );
      rows.push({g, G, buttons});
    });
    el.hidden = rows.length === 0;
  }

  /** Repaints every thumbnail from the layers' outputs (values per group; null: blank), one scale per layer. */
  function paintAll(values, selected) {
    for (const {g, G, buttons} of rows) {
      const v = values[g];
      const [m, H, W] = G.shape;
      let max = 0;
      if (v) for (let i = 0; i < m * H * W; i++) if (v[i] > max) max = v[i];
      buttons.forEach((b, f) => {
        const canvas = /** @type {HTMLCanvasElement} */ (b.firstChild);
        if (v) paint(canvas, v, W, H, HEAT, max || 1, f * H * W);
        else canvas.getContext('2d').clearRect(0, 0, W, H);
        b.setAttribute('aria-pressed', String(selected?.g === g && selected.k === f));
      });
    }
  }

  const button = (g, f) => rows.find((row) => row.g === g)?.buttons[f] ?? null;

  return {el, build, paintAll, button};
}
