// The walkthrough card: the digit with the kernel's window on it, the patch, the kernel
// and their products, the sum, and the output map filled in up to the current step.
// build() makes the elements once; render() draws one step from the data it is given.
import {drawGrid, fitCanvas, INK, paint, rgb, SIGNED} from '../../ui/color.js';
import {field, h, uid} from '../../ui/dom.js';
import {fixed, int} from '../../ui/format.js';
import {CLASSIC, maxAbs, patchAt} from './kernels.js';

export const SPEEDS = [2, 6, 20, 60, 200]; // kernel positions per second

/** The card and the parts the controller wires and render() fills. */
export function build() {
  const kernelSel = h('select', {id: uid('kernel')}, h('option', {value: 'sobel-x'}, CLASSIC['sobel-x'].name));
  const speed = h('input', {type: 'range', id: uid('speed'), min: 0, max: SPEEDS.length - 1, step: 1, value: 2});
  const back = h('button', {type: 'button', class: 'btn btn-sm'}, '◀ Step back');
  const fwd = h('button', {type: 'button', class: 'btn btn-sm'}, 'Step forward ▶');
  const play = h('button', {type: 'button', class: 'btn btn-sm btn-primary', 'aria-pressed': 'false'}, 'Auto-play');
  const finish = h('button', {type: 'button', class: 'btn btn-sm btn-ghost'}, 'Finish');
  const another = h('button', {type: 'button', class: 'btn btn-sm btn-ghost'}, 'Another test digit');
  const source = h('p', {class: 'small muted conv-source'});
  const inCanvas = h('canvas', {
    class: 'conv-in',
    tabindex: 0,
    role: 'img',
    'aria-label': 'Input digit with the kernel window; arrow keys move the window',
  });
  const outCanvas = h('canvas', {
    class: 'conv-out',
    role: 'img',
    'aria-label': 'Output feature map, filled in as the kernel slides',
  });
  const patchGrid = h('div', {class: 'kgrid'});
  const kernelGrid = h('div', {class: 'kgrid'});
  const prodGrid = h('div', {class: 'kgrid'});
  const sumLine = h('div', {class: 'sum-line mono', 'aria-live': 'off'});
  const posLine = h('p', {class: 'small muted'});
  const outNote = h('p', {class: 'small muted'});
  const card = h(
    'div',
    {class: 'card conv-card'},
    h(
      'div',
      {class: 'conv-controls'},
      field('Kernel', kernelSel).wrap,
      field('Speed', speed).wrap,
      h('div', {class: 'row gap conv-buttons'}, back, fwd, play, finish, another),
    ),
    source,
    h(
      'div',
      {class: 'conv-stage'},
      h(
        'figure',
        {class: 'conv-fig'},
        inCanvas,
        h('figcaption', {}, 'Input, 28×28 ', h('span', {class: 'muted'}, '(click to move the kernel)')),
      ),
      h(
        'div',
        {class: 'conv-math'},
        h('div', {class: 'kcol'}, h('span', {class: 'klabel'}, 'Patch'), patchGrid),
        h('span', {class: 'op', 'aria-hidden': 'true'}, '×'),
        h('div', {class: 'kcol'}, h('span', {class: 'klabel'}, 'Kernel'), kernelGrid),
        h('span', {class: 'op', 'aria-hidden': 'true'}, '='),
        h('div', {class: 'kcol'}, h('span', {class: 'klabel'}, 'Products'), prodGrid),
        sumLine,
        posLine,
      ),
      h('figure', {class: 'conv-fig'}, outCanvas, h('figcaption', {}, 'Output feature map'), outNote),
    ),
  );
  return {
    card,
    kernelSel,
    speed,
    back,
    fwd,
    play,
    finish,
    another,
    source,
    inCanvas,
    outCanvas,
    patchGrid,
    kernelGrid,
    prodGrid,
    sumLine,
    posLine,
    outNote,
  };
}

/** The Kernel list: the CNN's learned first-layer filters (F of them, if any), then the classic ones. */
export function renderKernelList(w, learnedCount, keep) {
  const learned = learnedCount
    ? h(
        'optgroup',
        {label: `Learned by the CNN (${learnedCount} first-layer filters)`},
        Array.from({length: learnedCount}, (_, f) => h('option', {value: `f${f}`}, `Filter ${f + 1}`)),
      )
    : null;
  w.kernelSel.replaceChildren(
    ...(learned ? [learned] : []),
    h(
      'optgroup',
      {label: 'Classic'},
      Object.entries(CLASSIC).map(([v, c]) => h('option', {value: v}, c.name)),
    ),
  );
  w.kernelSel.value = [...w.kernelSel.options].some((o) => o.value === keep) ? keep : learned ? 'f0' : 'sobel-x';
}

/** Auto-play on or off, on its button. */
export function renderPlaying(w, playing) {
  w.play.setAttribute('aria-pressed', String(playing));
  w.play.textContent = playing ? 'Auto-playing…' : 'Auto-play';
}

/** Where the digit comes from (focus: the Lab's). */
export function renderSource(w, focus) {
  w.source.textContent =
    focus.source === 'test'
      ? `Digit: test digit #${int(focus.index)}, labelled ${focus.label}.`
      : focus.source === 'drawing'
        ? `Digit: ${focus.example ? 'the example digit' : 'your drawing'}, as the networks see it.`
        : 'No digit yet: draw one on the pad or pick a test digit.';
}

/** The line under the output map, for a kernel and its output side. */
export function renderOutNote(w, kernel, outN) {
  w.outNote.textContent = kernel.learned
    ? `Raw sums before ReLU (blue negative, orange positive); the CNN then keeps max(0, ·). ${outN}×${outN} outputs.`
    : `Blue negative, orange positive. ${outN}×${outN} outputs${kernel.pad ? '' : ': the kernel must fit inside the image'}.`;
}

/**
 * Draws step `pos` (row-major over the output): input (28, 28) or null, kernel (kernels.js),
 * out (outN, outN) the whole output, width the view's width in CSS pixels.
 */
export function render(w, {input, kernel, out, outN, pos, width}) {
  const {K, k, bias, pad} = kernel;
  const r = Math.floor(pos / outN);
  const c = pos % outN;
  const inSize = Math.min(280, Math.max(196, Math.floor((width - 60) / 3.1)));
  const cell = inSize / 28;

  // input with the window
  const ictx = fitCanvas(w.inCanvas, inSize, inSize);
  ictx.imageSmoothingEnabled = false;
  const img = document.createElement('canvas');
  paint(img, input || new Float32Array(784), 28, 28, INK, 1);
  ictx.drawImage(img, 0, 0, inSize, inSize);
  const win = {x: c - pad, y: r - pad, k: K};
  drawGrid(ictx, {n: 28, every: 1, cell, size: inSize, style: 'rgba(255,255,255,0.06)', win});

  // the patch, the kernel, the products
  const patch = patchAt(input, kernel, r, c);
  const prods = patch.map((p, i) => p * k[i]);
  const kMax = Math.max(...k.map(Math.abs)) || 1;
  const pMax = Math.max(...prods.map(Math.abs)) || 1;
  const grid = (box, vals, color, digits) => {
    box.style.gridTemplateColumns = `repeat(${K}, 1fr)`;
    box.classList.toggle('k5', K > 3);
    box.replaceChildren(
      ...vals.map((v) => {
        const bg = color(v);
        return h('span', {class: 'kcell', style: {background: bg, color: inkOn(bg)}}, fmt(v, digits));
      }),
    );
  };
  grid(w.patchGrid, patch, (v) => rgb(INK, v), 2);
  grid(w.kernelGrid, k, (v) => rgb(SIGNED, 0.5 + v / kMax / 2), 2);
  grid(w.prodGrid, prods, (v) => rgb(SIGNED, 0.5 + v / pMax / 2), 2);
  const sum = prods.reduce((s, v) => s + v, 0);
  const value = sum + bias;
  const outBg = rgb(SIGNED, 0.5 + value / (maxAbs(out) || 1) / 2);
  // Each term stays whole (CSS: nowrap), so a narrow line breaks between terms, never
  // between "=" and the value it gives.
  w.sumLine.replaceChildren(
    h('span', {}, `Σ products = ${fixed(sum, 3)}`),
    kernel.learned ? h('span', {}, `+ bias ${fixed(bias, 3)}`) : '',
    h('span', {}, '= ', h('b', {class: 'sum-out', style: {background: outBg, color: inkOn(outBg)}}, fixed(value, 3))),
    kernel.learned ? h('span', {class: 'muted'}, `→ ReLU → ${fixed(Math.max(0, value), 3)}`) : '',
  );
  const total = outN * outN;
  w.posLine.textContent = `Output pixel (row ${r + 1}, column ${c + 1}) of ${outN}×${outN} · step ${int(pos + 1)} of ${int(total)}`;

  // output, revealed up to pos
  const octx = fitCanvas(w.outCanvas, inSize, inSize);
  octx.imageSmoothingEnabled = false;
  const shown = new Float32Array(out.length);
  const m = maxAbs(out) || 1;
  for (let i = 0; i < out.length; i++) shown[i] = i <= pos ? out[i] : NaN;
  const oimg = document.createElement('canvas');
  paintSigned(oimg, shown, outN, m);
  octx.fillStyle = '#dfe3ee';
  octx.fillRect(0, 0, inSize, inSize);
  octx.drawImage(oimg, 0, 0, inSize, inSize);
  const ocell = inSize / outN;
  octx.strokeStyle = '#101428';
  octx.lineWidth = 2;
  octx.strokeRect(c * ocell, r * ocell, ocell, ocell);
}

/** values (n, n) in -m..m, NaN for not reached yet (left transparent). */
function paintSigned(canvas, values, n, m) {
  canvas.width = canvas.height = n;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    const t = Math.round(Math.max(0, Math.min(1, 0.5 + v / m / 2)) * 255) * 3;
    img.data[i * 4] = SIGNED[t];
    img.data[i * 4 + 1] = SIGNED[t + 1];
    img.data[i * 4 + 2] = SIGNED[t + 2];
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function fmt(v, digits) {
  if (Math.abs(v) < 0.005) return '0';
  return v.toFixed(digits).replace(/^(-?)0\./, '$1.');
}

/**
 * The text colour for a cell of colour css ('rgb(r,g,b)', ui/color.js rgb()): white where white
 * reads at 4.5:1 or more (WCAG AA), else black, which then reads at 4.6:1 or more.
 */
function inkOn(css) {
  const m = /rgb\((\d+),(\d+),(\d+)\)/.exec(css);
  if (!m) return '#000';
  const lin = (c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const [r, g, b] = [m[1], m[2], m[3]].map((c) => lin(Number(c) / 255));
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return 1.05 / (luminance + 0.05) >= 4.5 ? '#fff' : '#000';
}
