// The Network view's two cards beside the diagram: the activation functions (plotted, with
// their slopes, and which loaded network uses each) and the forward pass in four lines (its
// sizes those of the network shown).
import {fitCanvas} from '../../ui/color.js';
import {h} from '../../ui/dom.js';
import {int} from '../../ui/format.js';

const FUNCS = {
  relu: {
    name: 'ReLU',
    f: (x) => Math.max(0, x),
    d: (x) => (x > 0 ? 1 : 0),
    formula: 'max(0, x)',
    text: 'Zero for negative inputs, the input itself otherwise. Its slope is either 0 or 1, cheap to compute and never shrinking the gradient of an active neuron, which is why most modern networks use it. The flip side: a neuron whose input stays negative for every digit outputs 0 and gets no gradient, a “dead” ReLU.',
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

/**
 * The activation functions' card. update(uses): uses maps a function's kind to the networks
 * loaded now that use it (e.g. {relu: ['the MLP “mlp”', ...]}), said under its text.
 */
export function activationPanel() {
  let fn = 'relu';
  let uses = {};
  const used = h('p', {class: 'small act-used'});
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
    const by = uses[fn] ?? [];
    used.textContent = by.length ? `Used here by ${by.join(' and ')}.` : 'Neither network loaded now uses it.';
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
    used,
  );
  new ResizeObserver(() => render()).observe(panel);
  return {
    el: panel,
    update(next) {
      uses = next;
      render();
    },
  };
}

/**
 * The forward pass in four lines. update(layer): the sentence on one layer names the sizes of
 * `layer` ({who: 'the MLP “mlp”', units, inputs}: its first dense layer), or none (null).
 */
export function mathPanel() {
  const eq = (...parts) => h('div', {class: 'eq'}, ...parts);
  const sizes = h('span', {});
  const el = h(
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
        h('p', {class: 'small muted'}, 'All neurons of a layer at once: a matrix–vector product.', sizes),
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
          'Near 0 when the network gives the true digit y a probability near 1, and large when it does not. Back-propagation computes how L changes with every weight, and the optimizer (Adam or SGD, as the Train form picks) nudges each weight downhill.',
        ),
      ),
    ),
  );
  return {
    el,
    update(layer) {
      sizes.textContent = layer
        ? ` For the first dense layer of ${layer.who}, W is ${int(layer.units)}×${int(layer.inputs)}.`
        : '';
    },
  };
}
