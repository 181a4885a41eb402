// The convolution walkthrough: a kernel (one of the trained CNN's first-layer
// filters, read from its parameters, or a classic hand-made one) slides over the
// digit in focus; each step shows the patch, the element-wise products, their
// sum and the output pixel. Below: every feature map of the live CNN for that
// digit, and pooling (max or average) step by step.
//
// This module keeps the view's state and wires it to the Lab; the pieces build and draw:
//   conv/kernels.js      the kernels and the convolution itself
//   conv/walkthrough.js  the walkthrough card
//   conv/maps.js         the feature-map grids
//   conv/pooling.js      the pooling card
import {h, onVisible} from '../ui/dom.js';
import {convolve, firstConvOf, kernelFor, argmaxOf, outSize} from './conv/kernels.js';
import * as maps from './conv/maps.js';
import * as pooling from './conv/pooling.js';
import * as walk from './conv/walkthrough.js';
import {groupsOf} from './netdiagram.js';
import {errorText} from './words.js';

const MAPS_MS = 180; // the map grids are ~200 canvases: redrawn at most this often while drawing

export function mount(el, lab) {
  const w = walk.build();
  const stagesBox = h('div', {class: 'fmap-stages'});
  const mapsNote = h('p', {class: 'small muted'});
  const poolBox = h('div', {class: 'pool-demo'});
  const poolTitle = h('h3', {});
  const poolNote = h('p', {class: 'small muted'});
  el.append(
    w.card,
    h('div', {class: 'card maps-card'}, h('h3', {}, 'Every feature map of the live CNN'), mapsNote, stagesBox),
    h('div', {class: 'card pool-card'}, poolTitle, poolNote, poolBox),
  );
  const explainPooling = (op, k) => {
    const text = pooling.explain(op, k);
    poolTitle.textContent = text.title;
    poolNote.textContent = text.note;
  };
  explainPooling('max', 2);

  // --- state -------------------------------------------------------------------
  let input = null; // Float32Array(784), the digit as the model saw it
  let firstConv = null; // {offset, F, K, same} (conv/kernels.js)
  let params = null;
  let kernel = null; // conv/kernels.js Kernel
  let out = null; // the output map, (outN, outN)
  let outN = 26;
  let pos = 0;
  let timer = 0;
  let visible = false;
  let selectedMap = 0;
  let cnnGroups = null;
  let grids = null; // maps.build()'s, for the CNN of generation gridsFor
  let gridsFor = -1;
  let kernelTouched = false;
  let userMoved = false; // once the user steps or plays, a new digit keeps the position

  const total = () => outN * outN;

  async function loadFilters() {
    const slot = lab.slots.cnn;
    if (!slot.info) return;
    cnnGroups = groupsOf(slot.info);
    firstConv = firstConvOf(cnnGroups);
    if (firstConv) {
      try {
        params = (await lab.params('cnn')).params;
      } catch {
        params = null;
      }
    }
    walk.renderKernelList(w, firstConv && params ? firstConv.F : 0, kernelTouched ? w.kernelSel.value : 'f0');
    pickKernel();
    // The grids and the pooling figures take their room now, blank, rather than when they
    // come into view: a link to a later section must not land short as they fill in.
    if (gridsFor !== lab.slots.cnn.generation) blankMaps();
  }

  function pickKernel() {
    kernel = kernelFor(w.kernelSel.value, firstConv, params);
    compute();
  }

  function compute() {
    if (!kernel) return;
    outN = outSize(kernel);
    out = convolve(input, kernel);
    // The walkthrough opens where the kernel responds most strongly, the map filled in up to it.
    pos = userMoved ? Math.min(pos, total() - 1) : input ? argmaxOf(out) : 0;
    walk.renderOutNote(w, kernel, outN);
    render();
  }

  function render() {
    if (!visible || !kernel) return;
    walk.render(w, {input, kernel, out, outN, pos, width: el.clientWidth});
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
    if (timer) {
      stopPlay();
      return;
    }
    userMoved = true;
    if (pos >= total() - 1) pos = 0;
    walk.renderPlaying(w, true);
    let last = performance.now();
    let acc = 0;
    const tick = (now) => {
      acc += ((now - last) / 1000) * walk.SPEEDS[Number(w.speed.value)];
      last = now;
      const steps = Math.floor(acc);
      acc -= steps;
      if (steps) setPos(pos + steps);
      if (pos >= total() - 1) stopPlay();
      else timer = requestAnimationFrame(tick);
    };
    timer = requestAnimationFrame(tick);
  }

  function stopPlay() {
    if (timer) cancelAnimationFrame(timer);
    timer = 0;
    walk.renderPlaying(w, false);
  }

  function renderMaps() {
    if (!visible) return;
    const slot = lab.slots.cnn;
    const p = slot.prediction;
    if (!cnnGroups || !p?.activations || p.generation !== slot.generation) {
      mapsNote.textContent = slot.info ? 'Draw a digit or pick a test digit to see the maps.' : 'Loading the CNN…';
      blankMaps();
      return;
    }
    mapsNote.textContent =
      'Bright means strongly active (after ReLU). Early maps respond to strokes and edges at each place; after pooling and a second convolution they respond to larger pieces such as loops, corners and line ends. Click a map of the first layer to pool it below.';
    if (!grids || gridsFor !== slot.generation) buildMaps();
    maps.paint(grids, p.activations, selectedMap);
    renderPool(p.activations);
  }

  function buildMaps() {
    grids = maps.build(stagesBox, maps.spatialStages(cnnGroups), (m) => {
      selectedMap = m;
      renderMaps();
    });
    gridsFor = lab.slots.cnn.generation;
  }

  /** The grids and the pooling card for the CNN in the page, painted black (no digit yet). */
  function blankMaps() {
    if (!cnnGroups) {
      stagesBox.replaceChildren();
      poolBox.replaceChildren();
      grids = null;
      return;
    }
    if (!grids || gridsFor !== lab.slots.cnn.generation) buildMaps();
    const zeros = maps.blankActivations(grids.stages);
    maps.paint(grids, zeros, selectedMap);
    renderPool(zeros);
  }

  function renderPool(activations) {
    const pair = pooling.firstPooling(grids.stages);
    if (!pair) {
      poolBox.replaceChildren(pooling.noPooling());
      return;
    }
    explainPooling(pair.pool.pooling, pair.pool.window);
    const m = Math.min(selectedMap, pair.conv.shape[0] - 1);
    const {figures, draw} = pooling.build(pair, activations, m, el.clientWidth);
    poolBox.replaceChildren(...figures);
    draw();
  }

  // --- input ---------------------------------------------------------------------
  function takeInput() {
    const p = lab.slots.cnn.prediction || lab.slots.mlp.prediction;
    input = p && lab.focus.source !== 'none' ? p.input : null;
    walk.renderSource(w, lab.focus);
    compute();
  }

  async function anotherDigit() {
    w.another.disabled = true;
    try {
      await lab.randomTestDigit();
    } catch (e) {
      w.source.textContent = errorText(e);
    } finally {
      w.another.disabled = false;
    }
  }

  // --- wiring ----------------------------------------------------------------------
  w.back.addEventListener('click', () => move(-1));
  w.fwd.addEventListener('click', () => move(1));
  w.play.addEventListener('click', togglePlay);
  w.finish.addEventListener('click', () => setPos(total() - 1));
  w.another.addEventListener('click', anotherDigit);
  w.inCanvas.addEventListener('pointerdown', (e) => {
    stopPlay();
    userMoved = true;
    const r = w.inCanvas.getBoundingClientRect();
    const x = Math.floor(((e.clientX - r.left) / r.width) * 28) + kernel.pad - Math.floor(kernel.K / 2);
    const y = Math.floor(((e.clientY - r.top) / r.height) * 28) + kernel.pad - Math.floor(kernel.K / 2);
    setPos(Math.max(0, Math.min(outN - 1, y)) * outN + Math.max(0, Math.min(outN - 1, x)));
  });
  w.inCanvas.addEventListener('keydown', (e) => {
    const d = {ArrowLeft: -1, ArrowRight: 1, ArrowUp: -outN, ArrowDown: outN}[e.key];
    if (d === undefined) return;
    e.preventDefault();
    move(d);
  });
  w.kernelSel.addEventListener('change', () => {
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

  let mapsTimer = 0;
  let mapsAt = 0;
  const mapsSoon = () => {
    if (mapsTimer) return;
    const wait = Math.max(0, MAPS_MS - (performance.now() - mapsAt));
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
