// The pooling card: one map of the first convolution before and after the pooling that
// follows it, a window at a time (point at a cell, or move it with the arrow keys), with
// the max or the mean it takes. Max or average comes from the layer's `pooling`.
import {drawGrid, fitCanvas, HEAT, paint} from '../../ui/color.js';
import {h} from '../../ui/dom.js';

/** The card's title and sentence for a pooling ('max' | 'average') with a k×k window. */
export function explain(op, k) {
  return {
    title: `${op === 'max' ? 'Max' : 'Average'} pooling, step by step`,
    note:
      op === 'max'
        ? `Pooling keeps the largest value of each ${k}×${k} window: the map shrinks ${k}× in each direction, the strongest responses survive, and a stroke that moves by a pixel mostly lands in the same window. Point at a cell of the pooled map, or pick another map above.`
        : `Average pooling keeps the mean of each ${k}×${k} window: the map shrinks ${k}× in each direction and every response counts, so it blurs where max pooling picks the peak. Point at a cell of the pooled map, or pick another map above.`,
  };
}

/** The first convolution among the spatial stages and the pooling right after it, or null. */
export function firstPooling(stages) {
  const ci = stages.findIndex((g) => g.kind === 'conv');
  const pool = stages[ci + 1];
  if (ci < 0 || !pool || pool.kind !== 'pool') return null;
  return {conv: stages[ci], pool};
}

/** What the card shows when there is nothing to pool. */
export const noPooling = () =>
  h('p', {class: 'muted small'}, 'This CNN has no pooling right after its first convolution.');

/**
 * The before/after figures for map m: conv and pool are groups (groupsOf), activations a
 * prediction's (per layer), width the view's width in CSS pixels. Returns the elements.
 */
export function build({conv, pool}, activations, m, width) {
  const [, hh, ww] = conv.shape;
  const [, ph, pw] = pool.shape;
  const ps = pool.window;
  const op = pool.pooling;
  const src = activations[conv.act].subarray(m * hh * ww, (m + 1) * hh * ww);
  const dst = activations[pool.act].subarray(m * ph * pw, (m + 1) * ph * pw);
  let focus = 0;
  for (let i = 1; i < dst.length; i++) if (dst[i] > dst[focus]) focus = i;
  const big = h('canvas', {class: 'pool-src', role: 'img', 'aria-label': `Map ${m + 1} before pooling`});
  const small = h('canvas', {
    class: 'pool-dst',
    role: 'img',
    tabindex: 0,
    'aria-label': `Map ${m + 1} after pooling; arrow keys move the window`,
  });
  const line = h('p', {class: 'mono small pool-line'});
  const windowGrid = h('div', {class: 'kgrid pool-window', style: {gridTemplateColumns: `repeat(${ps}, 1fr)`}});
  // Two maps side by side with the window between them, as wide as the card allows; one
  // above the other in a narrow view.
  const S = width >= 640 ? Math.min(340, Math.floor((width - 300) / 2)) : Math.min(300, width - 60);
  const max = Math.max(...src) || 1;
  const draw = () => {
    const fr = Math.floor(focus / pw);
    const fc = focus % pw;
    const cell = S / ww;
    const b = fitCanvas(big, S, (S * hh) / ww);
    b.imageSmoothingEnabled = false;
    const tmp = document.createElement('canvas');
    paint(tmp, src, ww, hh, HEAT, max);
    b.drawImage(tmp, 0, 0, S, (S * hh) / ww);
    const win = {x: fc * ps, y: fr * ps, k: ps};
    drawGrid(b, {n: ww, every: ps, cell, size: S, style: 'rgba(255,255,255,0.25)', lineWidth: 1, win});
    const sctx = fitCanvas(small, S, (S * ph) / pw);
    sctx.imageSmoothingEnabled = false;
    const tmp2 = document.createElement('canvas');
    paint(tmp2, dst, pw, ph, HEAT, max);
    sctx.drawImage(tmp2, 0, 0, S, (S * ph) / pw);
    const pc = S / pw;
    sctx.strokeStyle = '#fbbf24';
    sctx.lineWidth = 2.5;
    sctx.strokeRect(fc * pc, fr * pc, pc, pc);
    const values = [];
    for (let i = 0; i < ps; i++) for (let j = 0; j < ps; j++) values.push(src[(fr * ps + i) * ww + fc * ps + j]);
    line.textContent = `${op === 'max' ? 'max' : 'mean'}(${values.map((v) => v.toFixed(2)).join(', ')}) = ${dst[focus].toFixed(2)}`;
    const kept = op === 'max' ? values.indexOf(Math.max(...values)) : -1;
    windowGrid.replaceChildren(
      ...values.map((v, i) => h('span', {class: `kcell${i === kept ? ' kept' : ''}`}, v.toFixed(2))),
    );
  };
  const pick = (e) => {
    const r = small.getBoundingClientRect();
    const c = Math.floor(((e.clientX - r.left) / r.width) * pw);
    const rr = Math.floor(((e.clientY - r.top) / r.height) * ph);
    focus = Math.max(0, Math.min(ph - 1, rr)) * pw + Math.max(0, Math.min(pw - 1, c));
    draw();
  };
  small.addEventListener('pointermove', pick);
  small.addEventListener('pointerdown', pick);
  small.addEventListener('keydown', (e) => {
    const d = {ArrowLeft: -1, ArrowRight: 1, ArrowUp: -pw, ArrowDown: pw}[e.key];
    if (d === undefined) return;
    e.preventDefault();
    focus = Math.max(0, Math.min(dst.length - 1, focus + d));
    draw();
  });
  const figures = [
    h('figure', {}, big, h('figcaption', {}, `Map ${m + 1} after ReLU, ${hh}×${ww}`)),
    h(
      'div',
      {class: 'pool-step'},
      h('span', {class: 'klabel'}, `The ${ps}×${ps} window`),
      windowGrid,
      h('span', {class: 'op', 'aria-hidden': 'true'}, '↓'),
      line,
      h(
        'p',
        {class: 'small muted'},
        op === 'max' ? 'The ringed value is the one kept.' : 'Each value counts a quarter.',
      ),
    ),
    h('figure', {}, small, h('figcaption', {}, `After ${ps}×${ps} ${op} pooling, ${ph}×${pw}`)),
  ];
  return {figures, draw};
}
