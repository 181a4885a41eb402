// "See why": for each model, which pixels of the digit it reads pushed it to its answer, as
// a heat map over the digit: the gradient of the answer's score with respect to each pixel
// (the core's backward pass down to the input), or occlusion (how much the answer's
// probability drops when each 4x4 patch is blanked), a check that needs no gradient.
import {SLOTS} from '../../lab.js';
import {INK, paint, SIGNED} from '../../ui/color.js';
import {h, uid} from '../../ui/dom.js';
import {errorText, SLOT_TITLE} from '../words.js';
import {follow} from './follow.js';

const METHODS = [
  {key: 'gradient', label: 'Gradient'},
  {key: 'occlusion', label: 'Occlusion'},
];
const ABOUT =
  'Which pixels made each network give its answer. Gradient: how much the answer’s score rises as a pixel ' +
  'gets more ink, from the network’s own backward pass down to the image. Occlusion: how much the answer’s ' +
  'probability falls when a 4×4 patch is blanked, a check that needs no gradient.';

/** One model's map: the digit under its heat map -> {el, show(result, image), clear(text)}. */
function modelMap(name) {
  const digit = h('canvas', {class: 'px sal-digit', width: 28, height: 28, 'aria-hidden': 'true'});
  const heat = h('canvas', {class: 'px sal-heat', width: 28, height: 28, dataset: {slot: name}});
  const caption = h('figcaption', {}, h('span', {class: `chip chip-${name}`}, SLOT_TITLE[name]), ' ');
  const answer = h('span', {}, '');
  caption.append(answer);
  const el = h(
    'figure',
    {class: 'sal-map', dataset: {slot: name}},
    h('div', {class: 'sal-stack'}, digit, heat),
    caption,
  );
  return {
    el,
    show(result, image, method) {
      paint(digit, image, 28, 28, INK, 1);
      paint(heat, result[method], 28, 28, SIGNED, 'signed');
      el.dataset.cls = String(result.cls);
      heat.setAttribute('role', 'img');
      heat.setAttribute(
        'aria-label',
        `${SLOT_TITLE[name]}: ${method} map for its answer ${result.cls}; orange pixels support it, blue ones argue against it`,
      );
      answer.textContent = `answers ${result.cls}`;
    },
    clear(text) {
      delete el.dataset.cls;
      heat.getContext('2d').clearRect(0, 0, 28, 28);
      digit.getContext('2d').clearRect(0, 0, 28, 28);
      heat.removeAttribute('role');
      heat.removeAttribute('aria-label');
      answer.textContent = text;
    },
  };
}

export function mount(el, lab) {
  const titleId = uid('exp');
  let method = 'gradient';
  let last = null; // {image, mlp, cnn} from lab.saliency()
  const maps = Object.fromEntries(SLOTS.map((n) => [n, modelMap(n)]));
  const status = h('p', {class: 'status-line', role: 'status'});
  const buttons = METHODS.map(({key, label}) =>
    h(
      'button',
      {
        type: 'button',
        'aria-pressed': String(key === method),
        onclick: () => {
          method = key;
          for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.method === method));
          draw();
        },
        dataset: {method: key},
      },
      label,
    ),
  );
  const legend = h(
    'div',
    {class: 'sal-legend small'},
    h('span', {}, 'against the answer'),
    h('span', {class: 'sal-ramp', 'aria-hidden': 'true'}),
    h('span', {}, 'for the answer'),
    h(
      'p',
      {class: 'muted'},
      'Blue pixels argue against the answer, orange ones support it; the strongest in each map is full colour, white had no effect.',
    ),
  );

  function draw() {
    for (const n of SLOTS) {
      const r = last?.[n];
      if (!r) maps[n].clear('');
      else if (r.error) maps[n].clear(r.error);
      else maps[n].show(r, last.image, method);
    }
  }

  async function run() {
    if (lab.focus.source === 'none') {
      last = null;
      draw();
      return;
    }
    try {
      last = await lab.saliency();
      status.textContent = '';
    } catch (e) {
      last = null;
      status.textContent = errorText(e);
    }
    draw();
  }

  el.append(
    h(
      'section',
      {class: 'card exp exp-saliency', 'aria-labelledby': titleId},
      h('h3', {id: titleId}, 'See why'),
      h('p', {class: 'muted'}, ABOUT),
      h('div', {class: 'seg', role: 'group', 'aria-label': 'Saliency method'}, buttons),
      h(
        'div',
        {class: 'sal-maps'},
        SLOTS.map((n) => maps[n].el),
      ),
      legend,
      status,
    ),
  );
  follow(el, lab, run);
  lab.on('focus', ({focus}) => {
    if (focus.source === 'none') {
      last = null;
      draw();
    }
  });
}
