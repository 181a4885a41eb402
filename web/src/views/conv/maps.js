// Every feature map of the live CNN for the digit in focus: one section per spatial
// stage (a convolution or a pooling that keeps a plane), a small canvas per map. The
// first convolution's maps are a radio group (one tab stop, arrow keys): the one picked is
// pooled in the card below.
// build() makes the grids once per model; paint() repaints them for each digit.
import {HEAT, paint as paintMap} from '../../ui/color.js';
import {h} from '../../ui/dom.js';

/** The groups (groupsOf) drawn as stacks of maps: convolutions and poolings that keep a plane. */
export const spatialStages = (groups) =>
  groups.filter((g) => (g.kind === 'conv' || g.kind === 'pool') && g.shape[1] > 1);

/**
 * Fills `box` with a grid per stage -> {stages, canvases: canvas[][] (per stage, per map),
 * buttons (the first convolution's maps)}; onPick(m) when map m of the first convolution is clicked.
 */
export function build(box, stages, onPick) {
  const firstConv = stages.findIndex((g) => g.kind === 'conv');
  const canvases = [];
  const buttons = [];
  box.replaceChildren(
    ...stages.map((g, gi) => {
      const [C, hh, ww] = g.shape;
      const size = hh >= 20 ? 46 : hh >= 10 ? 34 : 22;
      const row = [];
      canvases.push(row);
      return h(
        'section',
        {class: 'fmap-stage'},
        h('h4', {}, `${g.title} `, h('span', {class: 'muted small'}, `· ${C} maps of ${hh}×${ww}`)),
        h(
          'div',
          {
            class: 'fmaps',
            style: {gridTemplateColumns: `repeat(auto-fill, minmax(${size}px, 1fr))`},
            ...(gi === firstConv
              ? {role: 'radiogroup', 'aria-label': `${g.title}: the map to pool`, onkeydown: (e) => step(e)}
              : {}),
          },
          Array.from({length: C}, (_, m) => {
            const cv = h('canvas', {class: 'px', width: ww, height: hh});
            row.push(cv);
            if (gi !== firstConv) return h('span', {class: 'fmap'}, cv);
            const b = h(
              'button',
              {
                type: 'button',
                class: 'fmap',
                role: 'radio',
                'aria-label': `${g.title} map ${m + 1}`,
                'aria-checked': String(m === 0),
                tabindex: m === 0 ? 0 : -1,
                onclick: () => onPick(m),
              },
              cv,
            );
            buttons.push(b);
            return b;
          }),
        ),
      );
    }),
  );
  // One tab stop for the whole grid (a radio group): the arrow keys move along it and pick,
  // Up and Down by a row of the grid as laid out, Home and End to the ends.
  function step(e) {
    const at = buttons.indexOf(/** @type {HTMLButtonElement} */ (e.target));
    if (at < 0) return;
    const top = buttons[at].offsetTop;
    const perRow = Math.max(1, buttons.filter((b) => b.offsetTop === top).length);
    const to = {
      ArrowLeft: at - 1,
      ArrowRight: at + 1,
      ArrowUp: at - perRow,
      ArrowDown: at + perRow,
      Home: 0,
      End: buttons.length - 1,
    }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const m = Math.max(0, Math.min(buttons.length - 1, to));
    buttons[m].focus();
    onPick(m);
  }
  return {stages, canvases, buttons};
}

/** Paints every map from a prediction's activations (per layer), marking map `selected` of the first convolution. */
export function paint(grids, activations, selected) {
  grids.stages.forEach((g, gi) => {
    const [C, hh, ww] = g.shape;
    const v = activations[g.act];
    for (let m = 0; m < C; m++) paintMap(grids.canvases[gi][m], v, ww, hh, HEAT, 'max', m * hh * ww);
  });
  grids.buttons.forEach((b, m) => {
    b.classList.toggle('sel', m === selected);
    b.setAttribute('aria-checked', String(m === selected));
    b.tabIndex = m === selected ? 0 : -1;
  });
}

/** Activations of zeros for every stage (per layer, as a prediction's): the grids with no digit. */
export function blankActivations(stages) {
  const activations = [];
  for (const g of stages) activations[g.act] = new Float32Array(g.shape[0] * g.shape[1] * g.shape[2]);
  return activations;
}
