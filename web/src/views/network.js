// The network diagram view: the network in a slot drawn from its real layers, weights and
// activations for the digit in focus, with the signal animated layer by layer. The diagram
// is explorable: point at a neuron or a feature map to read its value, press it to open its
// computation (network/computation.js); every convolution's maps are live thumbnails under
// it, and the MLP's first-layer weights are pictures (network/firstlayer.js). While a
// network trains, its parameters and the digit's activations are read again as progress
// arrives (at most once a second), so all of it changes as it learns. Beside it: the
// activation functions and the forward-pass maths (network/panels.js).
import {SLOT_COLOR, fitCanvas} from '../ui/color.js';
import {h, onVisible} from '../ui/dom.js';
import {int} from '../ui/format.js';
import {STAGE_MS, computeEdges, drawFrame, groupsOf, layout, stackOrder} from './netdiagram.js';
import {computationPanel} from './network/computation.js';
import {convTerms, denseTerms, firstDenseOnImage, inputOf, peakOf} from './network/compute.js';
import {actName, groupName, inputName, modelProse} from './network/describe.js';
import {firstLayerCard} from './network/firstlayer.js';
import {stackAt, unitOverlay, valueTip} from './network/overlay.js';
import {activationPanel, mathPanel} from './network/panels.js';
import {mapThumbnails} from './network/thumbs.js';
import {errorText, SLOT_TITLE} from './words.js';

/** While a network trains, its parameters and activations are read again at most this often. */
const LIVE_MS = 1000;
const v4 = (x) => x.toFixed(4);

export function mount(el, lab) {
  let which = 'mlp';
  const tabs = {};
  const seg = h(
    'div',
    {class: 'seg', role: 'group', 'aria-label': 'Network to draw'},
    ['mlp', 'cnn'].map(
      (n) =>
        (tabs[n] = h(
          'button',
          {type: 'button', 'aria-pressed': String(n === which), onclick: () => pick(n)},
          n === 'mlp' ? 'MLP (dense)' : 'CNN (convolutional)',
        )),
    ),
  );
  const replay = h('button', {type: 'button', class: 'btn btn-sm', onclick: () => startAnim()}, '▶ Replay the signal');
  const another = h(
    'button',
    {
      type: 'button',
      class: 'btn btn-sm btn-ghost',
      onclick: async () => {
        another.disabled = true;
        try {
          await lab.randomTestDigit();
        } catch (e) {
          caption.textContent = errorText(e);
        } finally {
          another.disabled = false;
        }
      },
    },
    'Feed a test digit',
  );
  const canvas = h('canvas', {class: 'net-canvas', role: 'img', 'aria-label': 'Network diagram'});
  const units = unitOverlay({
    name: (g) => groupName(state.groups, g),
    describe: (g, k) => describeUnit(g, k),
    select: (g, k) => select({g, k}),
    show: (text, at) => tip.show(text, at),
  });
  const stage = h('div', {class: 'net-stage'}, canvas, units.el);
  const scroller = h('div', {class: 'net-scroll'}, stage);
  const about = h('p', {class: 'small net-about'});
  const caption = h('p', {class: 'small muted net-caption'});
  const legend = h(
    'div',
    {class: 'net-legend small'},
    h('span', {}, h('i', {class: 'lg lg-up'}), 'pushes up (input × weight > 0)'),
    h('span', {}, h('i', {class: 'lg lg-down'}), 'pushes down (input × weight < 0)'),
    h('span', {}, h('i', {class: 'lg lg-on'}), 'bright = strongly active'),
    h('span', {}, 'Point at a neuron or a map to read its value; press it to see how it is computed.'),
  );
  const maps = mapThumbnails({
    show: (text, at) => tip.show(text, at),
    describe: (g, m, r, c) => describeMap(g, m, r, c),
    select: (g, m, r, c) => select({g, k: m, r, c}),
  });
  const calc = computationPanel({onClose: () => closeCalc(), onPick: (r, c) => select({...selected, r, c})});
  const first = firstLayerCard({
    select: (k) => {
      if (which !== 'mlp') pick('mlp');
      const g = state?.groups.indexOf(firstDenseOnImage(state.groups));
      if (g > 0) select({g, k});
    },
    show: (text, at) => firstTip.show(text, at),
  });
  const card = h(
    'div',
    {class: 'card net-card'},
    h('div', {class: 'row gap net-head'}, seg, h('span', {class: 'grow'}), another, replay),
    about,
    scroller,
    legend,
    caption,
    maps.el,
    calc.el,
  );
  const tip = valueTip(card);
  const firstTip = valueTip(first.el);
  const acts = activationPanel();
  const maths = mathPanel();
  el.append(card, first.el, h('div', {class: 'net-extra'}, acts.el, maths.el));

  let state = null; // {groups, layout, edges, values (per group, after its activation), probs}
  let prediction = null; // the shown slot's prediction with activations (valid until its next one)
  const params = {mlp: null, cnn: null}; // per slot: {params, key (slot:generation), step (training step read at)}
  let selected = null; // {g, k} a neuron, or {g, k: map, r, c} a convolution's map at a position
  let anim = {start: -1e9};
  let visible = false;
  let pendingAnim = false;

  const keyOf = (name) => `${name}:${lab.slots[name].generation}`;

  function pick(n) {
    which = n;
    for (const k of Object.keys(tabs)) tabs[k].setAttribute('aria-pressed', String(k === n));
    rebuild();
    startAnim();
  }

  /** Reads a slot's parameters if they are not those of its current model (or `fresh`: as they are now). */
  async function loadParams(name, fresh = false) {
    const key = keyOf(name);
    if (!fresh && params[name]?.key === key) return true;
    const step = lab.slots[name].training?.progress?.step ?? 0;
    try {
      const r = await lab.params(name, {fresh});
      if (keyOf(name) !== key) return false;
      params[name] = {params: r.params, key, step};
      return true;
    } catch {
      params[name] = null;
      return false;
    }
  }

  async function rebuild() {
    const slot = lab.slots[which];
    if (!slot.info) {
      closeCalc();
      state = null;
      caption.textContent = 'Loading the weights…';
      return;
    }
    const groups = groupsOf(slot.info);
    // The same layers (a run ended, the same network reloaded): what the reader chose stays open.
    const shape = (gs) => gs.map((G) => `${G.title}:${G.shape}`).join('|');
    if (!state || shape(state.groups) !== shape(groups)) closeCalc();
    state = {groups, layout: layout(groups, narrow()), edges: [], values: [], probs: null};
    maps.build(groups);
    describeModels();
    const shown = which;
    await loadParams(which);
    if (shown === which) update();
    if (which !== 'mlp' && (await loadParams('mlp'))) showFirstLayer();
  }

  /** The words that depend on the models loaded: the walk through the network, the two cards beside it. */
  function describeModels() {
    const slot = lab.slots[which];
    about.textContent = `The ${SLOT_TITLE[which]}: ${modelProse(state.groups, {title: slot.title, params: slot.info.params})}`;
    const uses = {};
    for (const n of ['mlp', 'cnn']) {
      const info = lab.slots[n].info;
      if (!info) continue;
      for (const l of info.layers) {
        if (!l.activation) continue;
        uses[l.kind] ??= [];
        const who = `the ${SLOT_TITLE[n]} “${lab.slots[n].title}”`;
        if (!uses[l.kind].includes(who)) uses[l.kind].push(who);
      }
    }
    acts.update(uses);
    const G = firstDenseOnImage(state.groups) ?? state.groups.find((x) => x.kind === 'dense' || x.kind === 'output');
    maths.update(G ? {who: `the ${SLOT_TITLE[which]} “${slot.title}”`, units: G.flat, inputs: G.inFlat} : null);
  }

  function update() {
    if (!state) return;
    const slot = lab.slots[which];
    const p = slot.prediction;
    const groups = state.groups;
    const current = p?.activations && p.generation === slot.generation;
    prediction = current ? p : null;
    state.values = groups.map((g, k) => (current ? (k === 0 ? p.input : p.activations[g.act]) : null));
    state.probs = current ? p.probs : null;
    state.edges = computeEdges(groups, params[which]?.params ?? null, state.values, selected);
    const focus = lab.focus;
    const what =
      focus.source === 'test'
        ? `test digit #${int(focus.index)} (labelled ${focus.label})`
        : focus.source === 'drawing'
          ? focus.example
            ? 'the example digit'
            : 'your drawing'
          : 'no digit yet';
    const total = slot.info ? int(slot.info.params) : '—';
    caption.textContent =
      `${SLOT_TITLE[which]} “${slot.title}”, ${total} parameters, showing ${what}. ` +
      (groups.some((G) => G.kind === 'conv')
        ? 'Each stack shows its most active feature maps in front (or the one chosen); the funnels trace one output back to the input window it sees.'
        : `The lines are the strongest contributions for this digit${current ? '' : ' (draw one: from the image, only its inked pixels count)'}.`);
    // The layers as the picture labels them, for those who cannot see it.
    const stages = groups.map((g) => g.title).join(' → ');
    canvas.setAttribute('aria-label', `Network diagram of the ${SLOT_TITLE[which]} (${stages}), showing ${what}`);
    if (pendingAnim && state.probs) {
      pendingAnim = false;
      anim = {start: performance.now()};
    }
    maps.paintAll(state.values, selected);
    if (which === 'mlp') showFirstLayer();
    showCalc();
    units.refresh();
    draw();
  }

  // --- what a unit holds -----------------------------------------------------------

  function describeUnit(g, k) {
    const G = state.groups[g];
    const name = groupName(state.groups, g);
    const unit = G.kind === 'output' ? `digit ${k}` : `neuron ${k}`;
    if (!prediction) return `${unit} of ${name}: draw a digit to see its value`;
    const z = prediction.activations[G.layer][k];
    if (G.kind === 'output')
      return `${unit}: score z = ${v4(z)}, probability ${(prediction.probs[k] * 100).toFixed(2)}%`;
    const a = prediction.activations[G.act][k];
    return `${unit} of ${name}: ${v4(a)}${G.act !== G.layer ? ` (z = ${v4(z)} before ${actName(G.actName)})` : ''}`;
  }

  /** Map m of group g at (r, c), or its peak (r < 0). */
  function describeMap(g, m, r, c) {
    const G = state.groups[g];
    const name = groupName(state.groups, g);
    const v = state.values[g];
    if (!v) return `map ${m} of ${name}: draw a digit to see its values`;
    const [, H, W] = G.shape;
    if (r < 0) ({r, c} = peakOf(v, G.shape, m));
    const a = v[(m * H + r) * W + c];
    const before = G.kind === 'conv' && G.act !== G.layer ? prediction.activations[G.layer][(m * H + r) * W + c] : null;
    return `${g === 0 ? 'pixel' : `map ${m} of ${name},`} (${r}, ${c}): ${v4(a)}${before === null ? '' : ` (before ${actName(G.actName)}: ${v4(before)})`}`;
  }

  // --- the computation panel -----------------------------------------------------

  function select(sel) {
    if (!state) return;
    const G = state.groups[sel.g];
    if (G.kind === 'conv' && (sel.r === null || sel.r === undefined) && state.values[sel.g]) {
      sel = {...sel, ...peakOf(state.values[sel.g], G.shape, sel.k)};
    }
    selected = sel;
    update();
  }

  function showCalc() {
    const P = params[which]?.params;
    if (!selected || !P) return;
    const {g, k} = selected;
    const G = state.groups[g];
    if (!prediction) {
      caption.textContent = 'Draw a digit (or feed a test digit) to see how this unit computes its value.';
      return;
    }
    if (G.kind === 'conv') {
      const res = convTerms(G, P, prediction, k, selected.r, selected.c);
      const x = inputOf(prediction, G.layer);
      let inMax = 0;
      for (const v of x) inMax = Math.max(inMax, v);
      const [F] = G.shape;
      const n = F * G.inShape[0] * G.kernel * G.kernel;
      let kMax = 0;
      for (let i = 0; i < n; i++) kMax = Math.max(kMax, Math.abs(P[G.offset + i]));
      calc.showConv({
        title: groupName(state.groups, g),
        map: k,
        r: selected.r,
        c: selected.c,
        res,
        inTitle: groupName(state.groups, g - 1),
        actName: G.act !== G.layer ? actName(G.actName) : null,
        values: state.values[g],
        shape: G.shape,
        inMax: inMax || 1,
        kMax: kMax || 1,
      });
    } else {
      const onImage = firstDenseOnImage(state.groups) === G;
      calc.showDense({
        title: groupName(state.groups, g),
        unit: k,
        output: G.kind === 'output',
        res: denseTerms(G, P, prediction, k),
        inputName: (i) => inputName(state.groups, g, i),
        actName: G.act !== G.layer ? actName(G.actName) : null,
        prob: prediction.probs[k],
        image: onImage
          ? {
              input: inputOf(prediction, G.layer),
              weights: P.subarray(G.offset + k * G.inFlat, G.offset + (k + 1) * G.inFlat),
            }
          : null,
      });
    }
  }

  function closeCalc() {
    const was = selected;
    const inside = calc.el.contains(document.activeElement);
    selected = null;
    calc.close();
    if (was && state) {
      if (inside) (units.button(was.g, was.k) ?? maps.button(was.g, was.k))?.focus({preventScroll: true});
      update();
    }
  }

  el.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && calc.open) {
      e.preventDefault();
      closeCalc();
    }
  });

  // --- the MLP's first layer -------------------------------------------------------

  function showFirstLayer() {
    const slot = lab.slots.mlp;
    const P = params.mlp;
    const groups = which === 'mlp' && state ? state.groups : slot.info ? groupsOf(slot.info) : null;
    const G = groups && firstDenseOnImage(groups);
    if (!G || !P || P.key !== keyOf('mlp')) {
      first.update(null, null, null);
      return;
    }
    const p = slot.prediction;
    const values = p?.activations && p.generation === slot.generation ? p.activations[G.act] : null;
    first.update(G, P.params, values, P.step);
  }

  // --- drawing -------------------------------------------------------------------

  const narrow = () => (scroller.clientWidth || 1000) < 760;

  function size() {
    const {width, height, vertical} = state.layout;
    if (vertical !== narrow()) state.layout = layout(state.groups, narrow());
    const L = state.layout;
    const cssW = L.vertical
      ? Math.min(scroller.clientWidth || L.width, 460)
      : Math.max(720, scroller.clientWidth || width);
    return {cssW, cssH: (cssW * L.height) / L.width, scale: cssW / L.width, width, height};
  }

  let raf = 0;
  function draw() {
    if (!state || !visible) return;
    cancelAnimationFrame(raf);
    const {cssW, cssH, scale} = size();
    const ctx = fitCanvas(canvas, cssW, cssH);
    ctx.scale(scale, scale);
    stage.style.width = `${cssW}px`;
    units.place(state.groups, state.layout, scale);
    const stages = state.groups.length - 1;
    const t = (performance.now() - anim.start) / STAGE_MS;
    drawFrame(ctx, {...state, selected, color: SLOT_COLOR[which], t: t > stages + 1 ? Infinity : t});
    if (t <= stages + 1) raf = requestAnimationFrame(draw);
  }

  // The maps of a stack are read and chosen on the canvas itself.
  const stackUnder = (e) => {
    if (!state) return null;
    const scale = canvas.clientWidth / state.layout.width;
    const at = stackAt(state.groups, state.layout, e.offsetX / scale, e.offsetY / scale);
    if (!at) return null;
    const G = state.groups[at.g];
    const box = state.layout.boxes[at.g];
    const front = stackOrder(state.values[at.g], G.shape, box.depth, selected?.g === at.g ? selected.k : -1)[0];
    const r = canvas.getBoundingClientRect();
    const rect = {
      left: r.left + (box.x + at.c * box.cell) * scale,
      top: r.top + (box.y + at.r * box.cell) * scale,
      width: box.cell * scale,
      height: box.cell * scale,
    };
    return {...at, m: front, rect};
  };
  canvas.addEventListener('pointermove', (e) => {
    const at = stackUnder(e);
    tip.show(at ? describeMap(at.g, at.m, at.r, at.c) : '', at?.rect ?? null);
    canvas.style.cursor = at && state.groups[at.g].kind === 'conv' ? 'pointer' : '';
  });
  canvas.addEventListener('pointerleave', () => tip.show('', null));
  canvas.addEventListener('click', (e) => {
    const at = stackUnder(e);
    if (at && state.groups[at.g].kind === 'conv') select({g: at.g, k: at.m, r: at.r, c: at.c});
  });

  const calm = matchMedia('(prefers-reduced-motion: reduce)');

  function startAnim() {
    if (calm.matches) {
      draw();
      return;
    }
    if (state?.probs) anim = {start: performance.now()};
    else pendingAnim = true;
    draw();
  }

  // --- following the lab -----------------------------------------------------------

  // While a slot trains: read its parameters (and, for the network shown, the digit's
  // activations) again once progress arrives, at most every LIVE_MS, and once more after the last.
  const live = {mlp: {timer: 0, last: 0, again: false}, cnn: {timer: 0, last: 0, again: false}};
  function follow(name) {
    const L = live[name];
    if (!visible) return;
    if (L.timer) {
      L.again = true; // progress came meanwhile: read once more after this
      return;
    }
    L.timer = setTimeout(
      async () => {
        L.last = performance.now();
        L.again = false;
        if (await loadParams(name, true)) {
          // The digit in focus again, through the weights as they are now (as the Lab predicts it).
          if (name === which) lab.predictAgain(name);
          else if (name === 'mlp') showFirstLayer();
        }
        L.timer = 0;
        if (L.again) follow(name);
      },
      Math.max(0, L.last + LIVE_MS - performance.now()),
    );
  }

  onVisible(el, (v) => {
    visible = v;
    lab.wantActivations('network', v);
    if (!v) return;
    if (stale) {
      stale = false;
      update();
      if (which !== 'mlp') showFirstLayer();
    } else draw();
    // Back on screen while a network trains: show where it is now.
    for (const n of [which, 'mlp']) if (lab.slots[n].training?.progress) follow(n);
  });
  new ResizeObserver(() => draw()).observe(scroller);

  // Off screen, a prediction only marks the view stale: it catches up when it is seen again.
  let stale = false;
  lab.on('prediction', ({slot}) => {
    if (!visible) stale = true;
    else if (slot === which) update();
    else if (slot === 'mlp') showFirstLayer();
  });
  lab.on('model', ({slot}) => {
    if (slot === which) rebuild();
    else if (slot === 'mlp') loadParams('mlp').then(showFirstLayer);
    if (state) describeModels();
  });
  lab.on('progress', ({slot}) => {
    if (slot === which || slot === 'mlp') follow(slot);
  });
  lab.on('feed', () => startAnim());
  lab.on('focus', ({focus}) => {
    if (focus.source === 'none') update();
  });
  lab.on('training', ({slot}) => {
    if (slot === which && !lab.slots[slot].training) rebuild();
  });
  rebuild();
}
