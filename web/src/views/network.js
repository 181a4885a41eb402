// The network diagram view: either live network drawn from its real layers,
// weights and activations for the digit in focus, with the signal animated
// layer by layer; plus the activation functions and the forward-pass maths.
import {SLOT_COLOR, fitCanvas} from '../ui/color.js';
import {h, onVisible} from '../ui/dom.js';
import {int} from '../ui/format.js';
import {STAGE_MS, computeEdges, drawFrame, groupsOf, layout} from './netdiagram.js';
import {errorText, SLOT_TITLE} from './words.js';

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
  const scroller = h('div', {class: 'net-scroll'}, canvas);
  const caption = h('p', {class: 'small muted net-caption'});
  const legend = h(
    'div',
    {class: 'net-legend small'},
    h('span', {}, h('i', {class: 'lg lg-pos'}), 'pushes up (activation × weight > 0)'),
    h('span', {}, h('i', {class: 'lg lg-neg'}), 'pushes down'),
    h('span', {}, h('i', {class: 'lg lg-on'}), 'bright = strongly active'),
  );

  el.append(
    h(
      'div',
      {class: 'card net-card'},
      h('div', {class: 'row gap net-head'}, seg, h('span', {class: 'grow'}), another, replay),
      scroller,
      legend,
      caption,
    ),
    h('div', {class: 'net-extra'}, activationPanel(), mathPanel()),
  );

  let state = null; // {groups, layout, edges, values, probs}
  let params = null;
  let paramsFor = '';
  let anim = {start: -1e9};
  let visible = false;
  let pendingAnim = false;

  function pick(n) {
    which = n;
    for (const k of Object.keys(tabs)) tabs[k].setAttribute('aria-pressed', String(k === n));
    rebuild();
    startAnim();
  }

  async function rebuild() {
    const slot = lab.slots[which];
    if (!slot.info) {
      caption.textContent = 'Loading the weights…';
      return;
    }
    const key = `${which}:${slot.generation}`;
    const groups = groupsOf(slot.info);
    state = {groups, layout: layout(groups, narrow()), edges: [], values: [], probs: null};
    if (paramsFor !== key || slot.training) {
      paramsFor = key;
      params = null;
      try {
        params = (await lab.params(which)).params;
      } catch {
        params = null;
      }
      if (`${which}:${lab.slots[which].generation}` !== key) return;
    }
    update();
  }

  function update() {
    if (!state) return;
    const slot = lab.slots[which];
    const p = slot.prediction;
    const groups = state.groups;
    if (slot.training) {
      lab.params(which).then(
        (r) => {
          params = r.params;
        },
        () => {},
      );
    }
    if (p?.activations && p.generation === slot.generation) {
      state.values = groups.map((g, k) => (k === 0 ? p.input : p.activations[g.act]));
      state.probs = p.probs;
    } else {
      state.values = groups.map(() => null);
      state.probs = null;
    }
    state.edges = computeEdges(groups, params, state.values);
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
      (which === 'mlp'
        ? 'Hidden layers show every neuron; the lines are the strongest contributions for this digit.'
        : 'Each stack shows its most active feature maps in front; the funnels trace one output back to the input window it sees.');
    // The layers as the picture labels them, for those who cannot see it.
    const stages = groups.map((g) => g.title).join(' → ');
    canvas.setAttribute('aria-label', `Network diagram of the ${SLOT_TITLE[which]} (${stages}), showing ${what}`);
    if (pendingAnim && state.probs) {
      pendingAnim = false;
      anim = {start: performance.now()};
    }
    draw();
  }

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
    const stages = state.groups.length - 1;
    const t = (performance.now() - anim.start) / STAGE_MS;
    drawFrame(ctx, {...state, color: SLOT_COLOR[which], t: t > stages + 1 ? Infinity : t});
    if (t <= stages + 1) raf = requestAnimationFrame(draw);
  }

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

  onVisible(el, (v) => {
    visible = v;
    lab.wantActivations('network', v);
    if (v) draw();
  });
  new ResizeObserver(() => draw()).observe(scroller);

  lab.on('prediction', ({slot}) => {
    if (slot === which) update();
  });
  lab.on('model', ({slot}) => {
    if (slot === which) rebuild();
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

// --- activation functions ----------------------------------------------------

const FUNCS = {
  relu: {
    name: 'ReLU',
    f: (x) => Math.max(0, x),
    d: (x) => (x > 0 ? 1 : 0),
    formula: 'max(0, x)',
    text: 'Zero for negative inputs, the input itself otherwise. Its slope is either 0 or 1, cheap to compute and never shrinking the gradient of an active neuron, which is why both networks here use it. The flip side: a neuron whose input stays negative for every digit outputs 0 and gets no gradient, a “dead” ReLU.',
  },
  sigmoid: {
    name: 'Sigmoid',
    f: (x) => 1 / (1 + Math.exp(-x)),
    d: (x) => {
      const s = 1 / (1 + Math.exp(-x));
      return s * (1 - s);
    },
    formula: '1 / (1 + e⁻ˣ)',
    text: 'Squashes any input into 0…1. Its slope is at most 0.25 and almost zero for large inputs, so gradients shrink as they pass back through many sigmoid layers: the vanishing-gradient problem that made deep networks hard to train before ReLU.',
  },
  tanh: {
    name: 'Tanh',
    f: Math.tanh,
    d: (x) => 1 - Math.tanh(x) ** 2,
    formula: 'tanh(x)',
    text: 'Like the sigmoid but centred on zero, from −1 to 1, with a slope of 1 at the origin. It saturates the same way for large inputs. Try it in a custom spec: dense(128)-tanh-dense(10).',
  },
};

function activationPanel() {
  let fn = 'relu';
  const canvas = h('canvas', {class: 'act-plot', role: 'img', 'aria-label': 'Plot of the activation function'});
  const readout = h('p', {class: 'small mono act-readout', 'aria-live': 'off'}, 'Point at the plot to read values.');
  const text = h('p', {class: 'small'});
  const formula = h('p', {class: 'act-formula mono'});
  const buttons = Object.fromEntries(
    Object.keys(FUNCS).map((k) => [
      k,
      h(
        'button',
        {
          type: 'button',
          'aria-pressed': String(k === fn),
          onclick: () => {
            fn = k;
            for (const [n, b] of Object.entries(buttons)) b.setAttribute('aria-pressed', String(n === k));
            render();
          },
        },
        FUNCS[k].name,
      ),
    ]),
  );
  let hover = null;
  const X0 = -5;
  const X1 = 5;
  const Y0 = -1.4;
  const Y1 = 2.4;

  function render() {
    const F = FUNCS[fn];
    formula.textContent = `f(x) = ${F.formula}`;
    text.textContent = F.text;
    const cssW = canvas.parentElement?.clientWidth ? Math.min(520, canvas.parentElement.clientWidth) : 360;
    const cssH = Math.round(cssW * 0.52);
    const ctx = fitCanvas(canvas, cssW, cssH);
    const sx = (x) => ((x - X0) / (X1 - X0)) * cssW;
    const sy = (y) => cssH - ((y - Y0) / (Y1 - Y0)) * cssH;
    ctx.clearRect(0, 0, cssW, cssH);
    ctx.strokeStyle = '#eef0f6';
    ctx.lineWidth = 1;
    for (let x = -5; x <= 5; x++) {
      ctx.beginPath();
      ctx.moveTo(sx(x), 0);
      ctx.lineTo(sx(x), cssH);
      ctx.stroke();
    }
    for (let y = -1; y <= 2; y++) {
      ctx.beginPath();
      ctx.moveTo(0, sy(y));
      ctx.lineTo(cssW, sy(y));
      ctx.stroke();
    }
    ctx.strokeStyle = '#94a3b8';
    ctx.beginPath();
    ctx.moveTo(0, sy(0));
    ctx.lineTo(cssW, sy(0));
    ctx.moveTo(sx(0), 0);
    ctx.lineTo(sx(0), cssH);
    ctx.stroke();
    const curve = (f, color, dash, width) => {
      ctx.strokeStyle = color;
      ctx.setLineDash(dash);
      ctx.lineWidth = width;
      ctx.beginPath();
      for (let i = 0; i <= 200; i++) {
        const x = X0 + ((X1 - X0) * i) / 200;
        const px = sx(x);
        const py = sy(f(x));
        if (i) ctx.lineTo(px, py);
        else ctx.moveTo(px, py);
      }
      ctx.stroke();
      ctx.setLineDash([]);
    };
    curve(F.d, '#94a3b8', [5, 4], 1.8);
    curve(F.f, '#4f46e5', [], 2.6);
    ctx.fillStyle = '#64748b';
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillText('f(x)', sx(-4.8), sy(2.15));
    ctx.fillText('f′(x) dashed', sx(-4.8), sy(1.85));
    if (hover !== null) {
      const x = X0 + (hover / cssW) * (X1 - X0);
      ctx.fillStyle = '#4f46e5';
      ctx.beginPath();
      ctx.arc(sx(x), sy(F.f(x)), 4.5, 0, Math.PI * 2);
      ctx.fill();
      readout.textContent = `x = ${x.toFixed(2)}   f(x) = ${F.f(x).toFixed(3)}   f′(x) = ${F.d(x).toFixed(3)}`;
    }
  }
  canvas.addEventListener('pointermove', (e) => {
    hover = e.offsetX;
    render();
  });
  canvas.addEventListener('pointerleave', () => {
    hover = null;
    render();
  });
  const panel = h(
    'div',
    {class: 'card act-card'},
    h(
      'div',
      {class: 'row gap'},
      h('h3', {class: 'grow'}, 'Activation functions'),
      h('div', {class: 'seg', role: 'group', 'aria-label': 'Function'}, Object.values(buttons)),
    ),
    h(
      'p',
      {class: 'small muted'},
      'Without a non-linear function between them, any stack of layers collapses into a single linear map; with one, the network can bend its decision boundaries.',
    ),
    formula,
    h('div', {class: 'act-wrap'}, canvas),
    readout,
    text,
  );
  new ResizeObserver(() => render()).observe(panel);
  return panel;
}

function mathPanel() {
  const eq = (...parts) => h('div', {class: 'eq'}, ...parts);
  return h(
    'div',
    {class: 'card math-card'},
    h('h3', {}, 'The forward pass, in four lines'),
    h(
      'dl',
      {class: 'math'},
      h('dt', {}, 'One neuron'),
      h(
        'dd',
        {},
        eq('z = ', h('i', {}, 'w'), '·', h('i', {}, 'x'), ' + ', h('i', {}, 'b'), ',  a = ReLU(z)'),
        h(
          'p',
          {class: 'small muted'},
          'A weighted sum of its inputs plus a bias, then the activation. The weights and the bias are what training adjusts.',
        ),
      ),
      h('dt', {}, 'One layer'),
      h(
        'dd',
        {},
        eq(
          'a',
          h('sup', {}, '[l]'),
          ' = f(W',
          h('sup', {}, '[l]'),
          ' a',
          h('sup', {}, '[l−1]'),
          ' + b',
          h('sup', {}, '[l]'),
          ')',
        ),
        h(
          'p',
          {class: 'small muted'},
          'All neurons of a layer at once: a matrix–vector product. For the MLP\u2019s first layer W is 512×784.',
        ),
      ),
      h('dt', {}, 'Softmax'),
      h(
        'dd',
        {},
        eq(
          'p',
          h('sub', {}, 'k'),
          ' = e',
          h('sup', {}, 'z', h('sub', {}, 'k')),
          ' / Σ',
          h('sub', {}, 'j'),
          ' e',
          h('sup', {}, 'z', h('sub', {}, 'j')),
        ),
        h(
          'p',
          {class: 'small muted'},
          'Turns the ten output scores into probabilities that add up to 1; the exponential exaggerates the lead of the highest score.',
        ),
      ),
      h('dt', {}, 'Cross-entropy loss'),
      h(
        'dd',
        {},
        eq('L = −log p', h('sub', {}, 'y')),
        h(
          'p',
          {class: 'small muted'},
          'Near 0 when the network gives the true digit y a probability near 1, and large when it does not. Back-propagation computes how L changes with every weight, and the optimizer (Adam here) nudges each weight downhill.',
        ),
      ),
    ),
  );
}
