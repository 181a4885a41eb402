// The computation of the unit selected on the diagram, with every number traceable:
// a dense neuron's strongest inputs times their weights, the rest, the bias and the sum
// (then the activation); a convolution map's value at one position as the sum over its
// input channels, each channel's patch and kernel with their partial sum (CNN Explainer's
// view), the output position chosen on the map. Builds DOM from the terms it is given
// (compute.js); knows nothing about the lab.
import {HEAT, INK, paint} from '../../ui/color.js';
import {h} from '../../ui/dom.js';
import {int} from '../../ui/format.js';
import {DOWN, PIYG, UP_TEXT} from './colors.js';
import {roving, setTabStop} from './roving.js';

const num = (x) => (x === null ? 'pad' : x.toFixed(4));

/**
 * onClose(): the panel was closed (button or Escape); onPick(r, c): the reader chose another
 * output position on a convolution's map.
 * @param {{onClose: () => void, onPick: (r: number, c: number) => void}} hooks
 */
export function computationPanel(hooks) {
  const heading = h('h3', {class: 'grow'});
  const close = h('button', {type: 'button', class: 'btn btn-sm btn-ghost', onclick: () => hooks.onClose()}, 'Close');
  const body = h('div', {class: 'calc-body'});
  const el = h(
    'section',
    {class: 'card calc-card', hidden: true, 'aria-label': 'Computation of the selected unit'},
    h('div', {class: 'row gap'}, heading, close),
    body,
  );
  let channel = -1; // the channel whose products are spelled out (convolutions)

  /**
   * A dense neuron. d: {title, unit, output (the output layer: unit is a digit), res (denseTerms),
   * inputName(i), actName, prob (output), image ({input, weights}: the first layer reads pixels)}
   */
  function showDense(d) {
    const {res} = d;
    heading.textContent = `${d.output ? 'Digit' : 'Neuron'} ${d.unit} of ${d.title}`;
    const rows = res.terms.map((t) =>
      h(
        'tr',
        {class: 'calc-term'},
        h('th', {scope: 'row'}, d.inputName(t.i)),
        h('td', {}, num(t.x)),
        h('td', {}, `× ${num(t.w)}`),
        h('td', {class: 'calc-v', style: {color: t.product >= 0 ? UP_TEXT : DOWN}}, `= ${num(t.product)}`),
      ),
    );
    const line = (cls, label, value) =>
      h('tr', {class: cls}, h('th', {scope: 'row', colspan: 3}, label), h('td', {class: 'calc-v'}, value));
    const table = h(
      'table',
      {class: 'calc mono'},
      h(
        'caption',
        {class: 'small muted'},
        `The ${res.terms.length} inputs that weigh most for this digit, input × weight:`,
      ),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {scope: 'col'}, 'input'),
          h('th', {scope: 'col'}, 'value'),
          h('th', {scope: 'col'}, 'weight'),
          h('th', {scope: 'col'}, 'term'),
        ),
      ),
      h(
        'tbody',
        {},
        rows,
        line('calc-rest', `the ${int(res.rest.count)} other terms`, `= ${num(res.rest.sum)}`),
        line('calc-bias', 'bias', `= ${num(res.bias)}`),
        line('calc-z', 'z, the sum of all above', num(res.z)),
        d.output
          ? line('calc-a', 'softmax over the ten digits', `${(d.prob * 100).toFixed(2)}%`)
          : line('calc-a', `${d.actName ?? 'output'}(z)`, num(res.a)),
      ),
    );
    const pictures = d.image ? imagePictures(d.image) : null;
    replace(
      h(
        'p',
        {class: 'small'},
        `z is the weighted sum of all ${int(res.inputs)} inputs plus the bias. Summed here term by term it is ${res.total.toFixed(6)}; the engine's float32 forward pass gave ${res.z.toFixed(6)}.`,
      ),
      pictures,
      h(
        'div',
        {class: 'calc-scroll', tabindex: 0, role: 'region', 'aria-label': 'The weighted sum, term by term'},
        table,
      ),
    );
    open();
  }

  /**
   * A map of a convolution at one position. d: {title, map, r, c, res (convTerms), inTitle, actName,
   * values (the layer's output, post-activation), shape, inMax (largest input value), kMax (largest |weight|)}
   */
  function showConv(d) {
    const {res} = d;
    heading.textContent = `Map ${d.map} of ${d.title} at row ${d.r}, column ${d.c}`;
    if (channel < 0 || channel >= res.channels.length) channel = strongest(res.channels);
    const picker = positionPicker(d, hooks.onPick);
    const cards = h('div', {
      class: 'calc-channels',
      role: 'group',
      'aria-label': `${res.channels.length} input channels`,
    });
    const detail = h('p', {class: 'small mono calc-detail'});
    const spell = (ch) => {
      const {patch, kernel, partial} = res.channels[ch];
      const products = patch.map((x, i) => (x === null ? `pad×${num(kernel[i])}` : `${num(x)}×${num(kernel[i])}`));
      detail.textContent = `input map ${ch}: ${products.join(' + ')} = ${num(partial)}`;
    };
    res.channels.forEach((chan, ch) => {
      const card = h(
        'button',
        {
          type: 'button',
          class: 'calc-chan',
          tabindex: ch === channel ? 0 : -1,
          dataset: {focus: `chan${ch}`},
          'aria-pressed': String(ch === channel),
          'aria-label': `input map ${ch}: patch times kernel sums to ${num(chan.partial)}`,
          onclick: () => {
            channel = ch;
            for (const b of cards.children) b.setAttribute('aria-pressed', String(b === card));
            spell(ch);
          },
        },
        h('span', {class: 'calc-chan-name'}, `map ${ch}`),
        h(
          'span',
          {class: 'calc-cells'},
          cells(chan.patch, res.K, INK, 0, d.inMax),
          h('span', {}, '×'),
          cells(chan.kernel, res.K, PIYG, -d.kMax, d.kMax),
        ),
        h('span', {class: 'calc-v', style: {color: chan.partial >= 0 ? UP_TEXT : DOWN}}, `= ${num(chan.partial)}`),
      );
      cards.append(card);
    });
    roving(cards);
    setTabStop([...cards.children], cards.children[channel]);
    spell(channel);
    const partials = res.channels.reduce((s, ch) => s + ch.partial, 0);
    const line = (cls, label, value) =>
      h('tr', {class: cls}, h('th', {scope: 'row'}, label), h('td', {class: 'calc-v'}, value));
    replace(
      h(
        'div',
        {class: 'calc-conv'},
        picker,
        h(
          'p',
          {class: 'small'},
          `Each of the ${res.channels.length} maps of ${d.inTitle} is read through its own ${res.K}×${res.K} kernel over the same window; ` +
            'the partial sums of all of them plus the bias give this position. Choose a channel to spell out its products; ' +
            'choose another position on the map.',
        ),
      ),
      cards,
      detail,
      h(
        'table',
        {class: 'calc mono'},
        h(
          'tbody',
          {},
          line('calc-partials', `sum of the ${res.channels.length} partial sums`, num(partials)),
          line('calc-bias', 'bias', num(res.bias)),
          line(
            'calc-z',
            `before ${d.actName ?? 'the activation'} (the engine: ${res.z.toFixed(6)})`,
            `= ${num(res.z)}`,
          ),
          line('calc-a', `after ${d.actName ?? 'the activation'}`, num(res.a)),
        ),
      ),
      h(
        'p',
        {class: 'small muted'},
        `Input patch: dark to white = 0 to ${d.inMax.toFixed(2)}; kernel: magenta pushes down, green pushes up.`,
      ),
    );
    open();
  }

  // The panel is rebuilt with each prediction (and while the network trains): focus stays on
  // the control that had it (by its data-focus key), so the keyboard is not thrown out.
  function replace(...children) {
    const had = /** @type {HTMLElement} */ (document.activeElement)?.dataset?.focus;
    body.replaceChildren(...children);
    if (had) /** @type {HTMLElement} */ (body.querySelector(`[data-focus="${had}"]`))?.focus({preventScroll: true});
  }

  function open() {
    const was = el.hidden;
    el.hidden = false;
    // Opened by the reader: bring it into view if it is below the fold.
    if (was) el.scrollIntoView({block: 'nearest'});
  }

  return {
    el,
    showDense,
    showConv,
    close() {
      el.hidden = true;
      channel = -1;
    },
    get open() {
      return !el.hidden;
    },
  };
}

const strongest = (channels) =>
  channels.reduce((b, ch, i) => (Math.abs(ch.partial) > Math.abs(channels[b].partial) ? i : b), 0);

/** K x K values as a small picture, lo..hi across the colour map (padding as 0); one scale per layer. */
function cells(values, K, lut, lo, hi) {
  const canvas = h('canvas', {class: 'calc-k', width: K, height: K});
  paint(
    canvas,
    values.map((x) => ((x ?? 0) - lo) / (hi - lo || 1)),
    K,
    K,
    lut,
    1,
  );
  return canvas;
}

/** The input, the weights of a first-layer neuron and their product, as 28x28 pictures. */
function imagePictures({input, weights}) {
  const fig = (label, values, lut, scale) => {
    const canvas = h('canvas', {class: 'calc-img', width: 28, height: 28});
    paint(canvas, values, 28, 28, lut, scale);
    return h('figure', {}, canvas, h('figcaption', {class: 'small muted'}, label));
  };
  const product = weights.map((w, i) => w * input[i]);
  return h(
    'div',
    {class: 'calc-images'},
    fig('the digit (pixel values 0 to 1)', input, INK, 1),
    h('span', {class: 'calc-op'}, '×'),
    fig('its weights (green +, magenta −)', weights, PIYG, 'signed'),
    h('span', {class: 'calc-op'}, '='),
    fig('pixel × weight: the terms of z', product, PIYG, 'signed'),
  );
}

/** The layer's map, to choose the output position on (click, or the arrow keys when focused). */
function positionPicker(d, onPick) {
  const [, H, W] = d.shape;
  const canvas = h('canvas', {
    class: 'calc-map',
    width: W,
    height: H,
    tabindex: 0,
    role: 'img',
    dataset: {focus: 'pick'},
    'aria-label': `Map ${d.map}, ${H}×${W}; the chosen position is row ${d.r}, column ${d.c}. Arrow keys move it.`,
  });
  paint(canvas, d.values, W, H, HEAT, 'max', d.map * H * W);
  const mark = h('span', {
    class: 'calc-mark',
    style: {left: `${(d.c / W) * 100}%`, top: `${(d.r / H) * 100}%`, width: `${100 / W}%`, height: `${100 / H}%`},
  });
  canvas.addEventListener('click', (e) => {
    const r = Math.floor((e.offsetY / canvas.clientHeight) * H);
    const c = Math.floor((e.offsetX / canvas.clientWidth) * W);
    onPick(Math.min(H - 1, Math.max(0, r)), Math.min(W - 1, Math.max(0, c)));
  });
  canvas.addEventListener('keydown', (e) => {
    const step = {ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1]}[e.key];
    if (!step) return;
    e.preventDefault();
    onPick(Math.min(H - 1, Math.max(0, d.r + step[0])), Math.min(W - 1, Math.max(0, d.c + step[1])));
  });
  return h(
    'figure',
    {class: 'calc-pick'},
    h('div', {class: 'calc-map-wrap'}, canvas, mark),
    h('figcaption', {class: 'small muted'}, 'the map after the activation; the square is the position computed'),
  );
}
