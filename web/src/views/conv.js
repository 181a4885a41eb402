// The convolution walkthrough: a kernel (one of the trained CNN's first-layer
// filters, read from its parameters, or a classic hand-made one) slides over the
// digit in focus; each step shows the patch, the element-wise products, their
// sum and the output pixel. Below: every feature map of the live CNN for that
// digit, and pooling (max or average) step by step.
import {INK, HEAT, SIGNED, fitCanvas, paint, rgb} from '../ui/color.js';
import {field, h, onVisible, uid} from '../ui/dom.js';
import {fixed, int} from '../ui/format.js';
import {groupsOf} from './netdiagram.js';
import {errorText} from './words.js';

const CLASSIC = {
  'sobel-x': {
    name: 'Sobel x (vertical edges)',
    k: [
      [-1, 0, 1],
      [-2, 0, 2],
      [-1, 0, 1],
    ],
  },
  'sobel-y': {
    name: 'Sobel y (horizontal edges)',
    k: [
      [-1, -2, -1],
      [0, 0, 0],
      [1, 2, 1],
    ],
  },
  laplacian: {
    name: 'Laplacian (outlines)',
    k: [
      [0, 1, 0],
      [1, -4, 1],
      [0, 1, 0],
    ],
  },
  blur: {
    name: 'Box blur',
    k: [
      [1 / 9, 1 / 9, 1 / 9],
      [1 / 9, 1 / 9, 1 / 9],
      [1 / 9, 1 / 9, 1 / 9],
    ],
  },
  sharpen: {
    name: 'Sharpen',
    k: [
      [0, -1, 0],
      [-1, 5, -1],
      [0, -1, 0],
    ],
  },
};
const SPEEDS = [2, 6, 20, 60, 200]; // kernel positions per second

export function mount(el, lab) {
  const kernelSel = h('select', {id: uid('kernel')}, h('option', {value: 'sobel-x'}, CLASSIC['sobel-x'].name));
  const speed = h('input', {type: 'range', id: uid('speed'), min: 0, max: SPEEDS.length - 1, step: 1, value: 2});
  const back = h('button', {type: 'button', class: 'btn btn-sm', onclick: () => move(-1)}, '◀ Step back');
  const fwd = h('button', {type: 'button', class: 'btn btn-sm', onclick: () => move(1)}, 'Step forward ▶');
  const play = h(
    'button',
    {type: 'button', class: 'btn btn-sm btn-primary', 'aria-pressed': 'false', onclick: togglePlay},
    'Auto-play',
  );
  const finish = h(
    'button',
    {type: 'button', class: 'btn btn-sm btn-ghost', onclick: () => setPos(total() - 1)},
    'Finish',
  );
  const another = h(
    'button',
    {type: 'button', class: 'btn btn-sm btn-ghost', onclick: anotherDigit},
    'Another test digit',
  );
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

  const stages = h('div', {class: 'fmap-stages'});
  const poolBox = h('div', {class: 'pool-demo'});
  // Max pooling unless the live CNN averages: said from the layer's `pooling`.
  const poolTitle = h('h3', {}, 'Max pooling, step by step');
  const poolNote = h('p', {class: 'small muted'}, '');
  const explainPooling = (op, k) => {
    poolTitle.textContent = `${op === 'max' ? 'Max' : 'Average'} pooling, step by step`;
    poolNote.textContent =
      op === 'max'
        ? `Pooling keeps the largest value of each ${k}×${k} window: the map shrinks ${k}× in each direction, the strongest responses survive, and a stroke that moves by a pixel mostly lands in the same window. Point at a cell of the pooled map, or pick another map above.`
        : `Average pooling keeps the mean of each ${k}×${k} window: the map shrinks ${k}× in each direction and every response counts, so it blurs where max pooling picks the peak. Point at a cell of the pooled map, or pick another map above.`;
  };
  explainPooling('max', 2);
  const mapsNote = h('p', {class: 'small muted'});

  el.append(
    h(
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
    ),
    h('div', {class: 'card maps-card'}, h('h3', {}, 'Every feature map of the live CNN'), mapsNote, stages),
    h('div', {class: 'card pool-card'}, poolTitle, poolNote, poolBox),
  );

  // --- state -------------------------------------------------------------------
  let input = null; // Float32Array(784), the digit as the model saw it
  let firstConv = null; // {offset, F, K, same, group}
  let params = null;
  let kernel = null; // {k: number[K*K], K, bias, pad, name}
  let out = null; // Float32Array(outN*outN)
  let outN = 26;
  let pos = 0;
  let timer = 0;
  let visible = false;
  let selectedMap = 0;
  let cnnGroups = null;
  let kernelTouched = false;
  let userMoved = false; // once the user steps or plays, a new digit keeps the position

  const total = () => outN * outN;

  async function loadFilters() {
    const slot = lab.slots.cnn;
    if (!slot.info) return;
    cnnGroups = groupsOf(slot.info);
    const g = cnnGroups.find((x) => x.kind === 'conv');
    if (g?.inShape[0] !== 1) {
      firstConv = null;
    } else {
      firstConv = {offset: g.offset, F: g.filters, K: g.kernel, same: g.padding === 'same', group: g};
      try {
        params = (await lab.params('cnn')).params;
      } catch {
        params = null;
      }
    }
    const keep = kernelTouched ? kernelSel.value : 'f0';
    const learned =
      firstConv && params
        ? h(
            'optgroup',
            {label: `Learned by the CNN (${firstConv.F} first-layer filters)`},
            Array.from({length: firstConv.F}, (_, f) => h('option', {value: `f${f}`}, `Filter ${f + 1}`)),
          )
        : null;
    kernelSel.replaceChildren(
      ...(learned ? [learned] : []),
      h(
        'optgroup',
        {label: 'Classic'},
        Object.entries(CLASSIC).map(([v, c]) => h('option', {value: v}, c.name)),
      ),
    );
    kernelSel.value = [...kernelSel.options].some((o) => o.value === keep) ? keep : learned ? 'f0' : 'sobel-x';
    pickKernel();
  }

  function pickKernel() {
    const v = kernelSel.value;
    if (v.startsWith('f') && firstConv && params) {
      const f = Number(v.slice(1));
      const {offset, F, K, same} = firstConv;
      kernel = {
        k: Array.from(params.subarray(offset + f * K * K, offset + (f + 1) * K * K)),
        K,
        bias: params[offset + F * K * K + f],
        pad: same ? Math.floor(K / 2) : 0,
        learned: true,
        name: `filter ${f + 1} of the CNN's first layer`,
      };
    } else {
      const c = CLASSIC[v] || CLASSIC['sobel-x'];
      kernel = {k: c.k.flat(), K: 3, bias: 0, pad: 0, learned: false, name: c.name};
    }
    compute();
  }

  function compute() {
    if (!kernel) return;
    const {k, K, bias, pad} = kernel;
    outN = 28 + 2 * pad - K + 1;
    out = new Float32Array(outN * outN);
    if (input) {
      for (let r = 0; r < outN; r++) {
        for (let c = 0; c < outN; c++) {
          let s = bias;
          for (let i = 0; i < K; i++) {
            for (let j = 0; j < K; j++) {
              const y = r + i - pad;
              const x = c + j - pad;
              if (y >= 0 && y < 28 && x >= 0 && x < 28) s += input[y * 28 + x] * k[i * K + j];
            }
          }
          out[r * outN + c] = s;
        }
      }
    }
    pos = userMoved ? Math.min(pos, total() - 1) : strongest();
    outNote.textContent = kernel.learned
      ? `Raw sums before ReLU (blue negative, orange positive); the CNN then keeps max(0, ·). ${outN}×${outN} outputs.`
      : `Blue negative, orange positive. ${outN}×${outN} outputs${kernel.pad ? '' : ': the kernel must fit inside the image'}.`;
    render();
  }

  /** Where the kernel responds most strongly: the walkthrough opens there, the map filled in up to it. */
  function strongest() {
    if (!input) return 0;
    let best = 0;
    for (let i = 1; i < out.length; i++) if (out[i] > out[best]) best = i;
    return best;
  }

  function setPos(p) {
    pos = Math.max(0, Math.min(total() - 1, p));
    render();
  }

  function move(d) {
    stopPlay();
    userMoved = true;
    setPos(pos + d);
  }

  function togglePlay() {
    if (timer) stopPlay();
    else {
      userMoved = true;
      if (pos >= total() - 1) pos = 0;
      play.setAttribute('aria-pressed', 'true');
      play.textContent = 'Auto-playing…';
      let last = performance.now();
      let acc = 0;
      const tick = (now) => {
        acc += ((now - last) / 1000) * SPEEDS[Number(speed.value)];
        last = now;
        const steps = Math.floor(acc);
        acc -= steps;
        if (steps) setPos(pos + steps);
        if (pos >= total() - 1) stopPlay();
        else timer = requestAnimationFrame(tick);
      };
      timer = requestAnimationFrame(tick);
    }
  }

  function stopPlay() {
    if (timer) cancelAnimationFrame(timer);
    timer = 0;
    play.setAttribute('aria-pressed', 'false');
    play.textContent = 'Auto-play';
  }

  // --- drawing -----------------------------------------------------------------
  function render() {
    if (!visible || !kernel) return;
    const {K, k, bias, pad} = kernel;
    const r = Math.floor(pos / outN);
    const c = pos % outN;
    const inSize = Math.min(300, Math.max(196, Math.floor((el.clientWidth - 60) / 3.1)));
    const cell = inSize / 28;

    // input with the window
    const ictx = fitCanvas(inCanvas, inSize, inSize);
    ictx.imageSmoothingEnabled = false;
    const img = document.createElement('canvas');
    paint(img, input || new Float32Array(784), 28, 28, INK, 1);
    ictx.drawImage(img, 0, 0, inSize, inSize);
    ictx.strokeStyle = 'rgba(255,255,255,0.06)';
    for (let i = 1; i < 28; i++) {
      ictx.beginPath();
      ictx.moveTo(i * cell, 0);
      ictx.lineTo(i * cell, inSize);
      ictx.moveTo(0, i * cell);
      ictx.lineTo(inSize, i * cell);
      ictx.stroke();
    }
    ictx.strokeStyle = '#fbbf24';
    ictx.lineWidth = 2.5;
    ictx.strokeRect((c - pad) * cell, (r - pad) * cell, K * cell, K * cell);

    // the patch, the kernel, the products
    const patch = [];
    for (let i = 0; i < K; i++) {
      for (let j = 0; j < K; j++) {
        const y = r + i - pad;
        const x = c + j - pad;
        patch.push(y >= 0 && y < 28 && x >= 0 && x < 28 && input ? input[y * 28 + x] : 0);
      }
    }
    const prods = patch.map((p, i) => p * k[i]);
    const kMax = Math.max(...k.map(Math.abs)) || 1;
    const pMax = Math.max(...prods.map(Math.abs)) || 1;
    const grid = (box, vals, color, digits) => {
      box.style.gridTemplateColumns = `repeat(${K}, 1fr)`;
      box.classList.toggle('k5', K > 3);
      box.replaceChildren(
        ...vals.map((v) => {
          const bg = color(v);
          return h(
            'span',
            {class: 'kcell', style: {background: bg, color: lum(bg) > 0.55 ? '#101428' : '#fff'}},
            fmt(v, digits),
          );
        }),
      );
    };
    grid(patchGrid, patch, (v) => rgb(INK, v), 2);
    grid(kernelGrid, k, (v) => rgb(SIGNED, 0.5 + v / kMax / 2), 2);
    grid(prodGrid, prods, (v) => rgb(SIGNED, 0.5 + v / pMax / 2), 2);
    const sum = prods.reduce((s, v) => s + v, 0);
    const value = sum + bias;
    sumLine.replaceChildren(
      ...[
        h('span', {}, `Σ products = ${fixed(sum, 3)}`),
        kernel.learned ? h('span', {}, ` + bias ${fixed(bias, 3)}`) : null,
        h('span', {}, ' = '),
        h(
          'b',
          {class: 'sum-out', style: {background: rgb(SIGNED, 0.5 + value / (maxAbs(out) || 1) / 2)}},
          fixed(value, 3),
        ),
        kernel.learned ? h('span', {class: 'muted'}, `  → ReLU → ${fixed(Math.max(0, value), 3)}`) : null,
      ].filter(Boolean),
    );
    posLine.textContent = `Output pixel (row ${r + 1}, column ${c + 1}) of ${outN}×${outN} · step ${int(pos + 1)} of ${int(total())}`;

    // output, revealed up to pos
    const octx = fitCanvas(outCanvas, inSize, inSize);
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

  // The grids are built once per model and repainted in place for each digit.
  let grids = null; // {key, spatial, canvases: Canvas[][], buttons: Button[]}

  function buildGrids(slot) {
    const spatial = cnnGroups.filter((g) => (g.kind === 'conv' || g.kind === 'pool') && g.shape[1] > 1);
    const firstConvIdx = spatial.findIndex((g) => g.kind === 'conv');
    const canvases = [];
    const buttons = [];
    stages.replaceChildren(
      ...spatial.map((g, gi) => {
        const [C, hh, ww] = g.shape;
        const size = hh >= 20 ? 46 : hh >= 10 ? 34 : 22;
        const isFirst = gi === firstConvIdx;
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
              if (!isFirst) return h('span', {class: 'fmap'}, cv);
              const b = h(
                'button',
                {
                  type: 'button',
                  class: 'fmap',
                  'aria-label': `${g.title} map ${m + 1}`,
                  'aria-pressed': 'false',
                  onclick: () => {
                    selectedMap = m;
                    renderMaps();
                  },
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
    grids = {key: `${slot.generation}`, spatial, canvases, buttons};
  }

  function renderMaps() {
    if (!visible) return;
    const slot = lab.slots.cnn;
    const p = slot.prediction;
    if (!cnnGroups || !p?.activations || p.generation !== slot.generation) {
      mapsNote.textContent = slot.info ? 'Draw a digit or pick a test digit to see the maps.' : 'Loading the CNN…';
      stages.replaceChildren();
      poolBox.replaceChildren();
      grids = null;
      return;
    }
    mapsNote.textContent =
      'Bright means strongly active (after ReLU). Early maps respond to strokes and edges at each place; after pooling and a second convolution they respond to larger pieces such as loops, corners and line ends. Click a map of the first layer to pool it below.';
    if (!grids || grids.key !== `${slot.generation}`) buildGrids(slot);
    grids.spatial.forEach((g, gi) => {
      const [C, hh, ww] = g.shape;
      const v = p.activations[g.act];
      for (let m = 0; m < C; m++) paint(grids.canvases[gi][m], v, ww, hh, HEAT, 'max', m * hh * ww);
    });
    grids.buttons.forEach((b, m) => {
      b.classList.toggle('sel', m === selectedMap);
      b.setAttribute('aria-pressed', String(m === selectedMap));
    });
    renderPool(grids.spatial, p);
  }

  function renderPool(spatial, p) {
    const ci = spatial.findIndex((g) => g.kind === 'conv');
    const pool = spatial[ci + 1];
    if (ci < 0 || !pool || pool.kind !== 'pool') {
      poolBox.replaceChildren(
        h('p', {class: 'muted small'}, 'This CNN has no pooling right after its first convolution.'),
      );
      return;
    }
    const conv = spatial[ci];
    const [, hh, ww] = conv.shape;
    const [, ph, pw] = pool.shape;
    const ps = pool.window;
    const op = pool.pooling; // 'max' or 'average'
    explainPooling(op, ps);
    const m = Math.min(selectedMap, conv.shape[0] - 1);
    const src = p.activations[conv.act].subarray(m * hh * ww, (m + 1) * hh * ww);
    const dst = p.activations[pool.act].subarray(m * ph * pw, (m + 1) * ph * pw);
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
    const S = Math.min(260, Math.max(180, Math.floor((el.clientWidth - 120) / 2.4)));
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
      b.strokeStyle = 'rgba(255,255,255,0.25)';
      b.lineWidth = 1;
      for (let i = ps; i < ww; i += ps) {
        b.beginPath();
        b.moveTo(i * cell, 0);
        b.lineTo(i * cell, S);
        b.moveTo(0, i * cell);
        b.lineTo(S, i * cell);
        b.stroke();
      }
      b.strokeStyle = '#fbbf24';
      b.lineWidth = 2.5;
      b.strokeRect(fc * ps * cell, fr * ps * cell, ps * cell, ps * cell);
      const sctx = fitCanvas(small, S, (S * ph) / pw);
      sctx.imageSmoothingEnabled = false;
      const tmp2 = document.createElement('canvas');
      paint(tmp2, dst, pw, ph, HEAT, max);
      sctx.drawImage(tmp2, 0, 0, S, (S * ph) / pw);
      const pc = S / pw;
      sctx.strokeStyle = '#fbbf24';
      sctx.lineWidth = 2.5;
      sctx.strokeRect(fc * pc, fr * pc, pc, pc);
      const win = [];
      for (let i = 0; i < ps; i++) for (let j = 0; j < ps; j++) win.push(src[(fr * ps + i) * ww + fc * ps + j]);
      line.textContent = `${op === 'max' ? 'max' : 'mean'}(${win.map((v) => v.toFixed(2)).join(', ')}) = ${dst[focus].toFixed(2)}`;
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
    poolBox.replaceChildren(
      h('figure', {}, big, h('figcaption', {}, `Map ${m + 1} after ReLU, ${hh}×${ww}`)),
      h('span', {class: 'op pool-arrow', 'aria-hidden': 'true'}, '→'),
      h('figure', {}, small, h('figcaption', {}, `After ${ps}×${ps} ${op} pooling, ${ph}×${pw}`)),
      line,
    );
    draw();
  }

  // --- input -----------------------------------------------------------------------
  function takeInput() {
    const p = lab.slots.cnn.prediction || lab.slots.mlp.prediction;
    input = p && lab.focus.source !== 'none' ? p.input : null;
    const f = lab.focus;
    source.textContent =
      f.source === 'test'
        ? `Digit: test digit #${int(f.index)}, labelled ${f.label}.`
        : f.source === 'drawing'
          ? `Digit: ${f.example ? 'the example digit' : 'your drawing'}, as the networks see it.`
          : 'No digit yet: draw one on the pad or pick a test digit.';
    compute();
  }

  async function anotherDigit() {
    another.disabled = true;
    try {
      await lab.randomTestDigit();
    } catch (e) {
      source.textContent = errorText(e);
    } finally {
      another.disabled = false;
    }
  }

  inCanvas.addEventListener('pointerdown', (e) => {
    stopPlay();
    userMoved = true;
    const r = inCanvas.getBoundingClientRect();
    const x = Math.floor(((e.clientX - r.left) / r.width) * 28) + kernel.pad - Math.floor(kernel.K / 2);
    const y = Math.floor(((e.clientY - r.top) / r.height) * 28) + kernel.pad - Math.floor(kernel.K / 2);
    setPos(Math.max(0, Math.min(outN - 1, y)) * outN + Math.max(0, Math.min(outN - 1, x)));
  });
  inCanvas.addEventListener('keydown', (e) => {
    const d = {ArrowLeft: -1, ArrowRight: 1, ArrowUp: -outN, ArrowDown: outN}[e.key];
    if (d === undefined) return;
    e.preventDefault();
    move(d);
  });
  kernelSel.addEventListener('change', () => {
    kernelTouched = true;
    pickKernel();
  });

  onVisible(el, (v) => {
    visible = v;
    lab.wantActivations('conv', v);
    if (!v) stopPlay();
    if (v) {
      render();
      renderMaps();
    }
  });
  new ResizeObserver(() => {
    render();
  }).observe(el);

  // The map grids are ~200 canvases: redraw them at most a few times a second while drawing.
  let mapsTimer = 0;
  let mapsAt = 0;
  const mapsSoon = () => {
    if (mapsTimer) return;
    const wait = Math.max(0, 180 - (performance.now() - mapsAt));
    mapsTimer = setTimeout(() => {
      mapsTimer = 0;
      mapsAt = performance.now();
      renderMaps();
    }, wait);
  };
  lab.on('prediction', ({slot}) => {
    if (slot === 'cnn' || !lab.slots.cnn.prediction) takeInput();
    if (slot === 'cnn') mapsSoon();
  });
  lab.on('focus', () => {
    takeInput();
    mapsSoon();
  });
  lab.on('model', ({slot}) => {
    if (slot === 'cnn') loadFilters();
  });
  lab.on('training', ({slot}) => {
    if (slot === 'cnn' && !lab.slots.cnn.training) loadFilters();
  });
  loadFilters();
  takeInput();
}

function paintSigned(canvas, values, n, m) {
  canvas.width = canvas.height = n;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue; // not reached yet: transparent
    const t = Math.round(Math.max(0, Math.min(1, 0.5 + v / m / 2)) * 255) * 3;
    img.data[i * 4] = SIGNED[t];
    img.data[i * 4 + 1] = SIGNED[t + 1];
    img.data[i * 4 + 2] = SIGNED[t + 2];
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

const maxAbs = (a) => {
  let m = 0;
  for (const v of a) if (Math.abs(v) > m) m = Math.abs(v);
  return m;
};

function fmt(v, digits) {
  if (Math.abs(v) < 0.005) return '0';
  return v.toFixed(digits).replace(/^(-?)0\./, '$1.');
}

function lum(css) {
  const m = /rgb\((\d+),(\d+),(\d+)\)/.exec(css);
  if (!m) return 1;
  return (0.299 * Number(m[1]) + 0.587 * Number(m[2]) + 0.114 * Number(m[3])) / 255;
}
