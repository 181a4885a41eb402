// Every feature map of the live CNN for the digit in focus: one section per spatial
// stage (a convolution or a pooling that keeps a plane), a small canvas per map. The
// first convolution's maps are buttons: the one picked is pooled in the card below.
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
          {class: 'fmaps', style: {gridTemplateColumns: `repeat(auto-fill, minmax(${size}px, 1fr))`}},
          Array.from({length: C}, (_, m) => {
            const cv = h('canvas', {class: 'px', width: ww, height: hh});
            row.push(cv);
            if (gi !== firstConv) return h('span', {class: 'fmap'}, cv);
            const b = h(
              'button',
              {
                type: 'button',
                class: 'fmap',
                'aria-label': `${g.title} map ${m + 1}`,
                'aria-pressed': 'false',
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
    b.setAttribute('aria-pressed', String(m === selected));
  });
}
