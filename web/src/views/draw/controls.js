// The controls that move the drawing before the models read it: shift, rotation, thickness
// and the MNIST centring, all live (each change has both models read the digit again).
import {MOVE_RANGES, UNMOVED} from '../../model/experiments.js';
import {h, uid} from '../../ui/dom.js';

const SLIDERS = [
  {key: 'dx', label: 'Shift x', step: 1, unit: ' px'},
  {key: 'dy', label: 'Shift y', step: 1, unit: ' px'},
  {key: 'angle', label: 'Rotation', step: 1, unit: '°'},
  {key: 'thickness', label: 'Thickness', step: 1, unit: ''},
];

const signed = (v, unit) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v)}${unit}`;

/** The controls for `lab` -> {el}; they follow lab.move wherever it is changed from. */
export function build(lab) {
  const status = h('p', {class: 'move-status small muted', role: 'status'});
  const inputs = {};
  const outputs = {};
  const rows = SLIDERS.map(({key, label, step, unit}) => {
    const id = uid('move');
    const [min, max] = MOVE_RANGES[key];
    const input = h('input', {type: 'range', id, min, max, step, value: lab.move[key]});
    const output = h('output', {for: id}, signed(lab.move[key], unit));
    input.addEventListener('input', () => change({[key]: Number(input.value)}));
    inputs[key] = input;
    outputs[key] = {output, unit};
    return h('div', {class: 'move-row'}, h('label', {for: id}, label), input, output);
  });
  const centre = h('input', {type: 'checkbox', checked: lab.move.centre});
  centre.addEventListener('change', () => change({centre: centre.checked}));
  const reset = h('button', {type: 'button', class: 'btn btn-sm', onclick: () => change(UNMOVED)}, 'Reset');

  function change(values) {
    try {
      lab.moveDrawing(values);
      status.textContent = '';
    } catch (e) {
      status.textContent = e.message;
    }
  }

  function sync() {
    const move = lab.move;
    for (const {key} of SLIDERS) {
      inputs[key].value = String(move[key]);
      outputs[key].output.textContent = signed(move[key], outputs[key].unit);
    }
    centre.checked = move.centre;
    reset.disabled = Object.keys(UNMOVED).every((k) => move[k] === UNMOVED[k]);
  }

  const note = () => {
    status.textContent = lab.focus.source === 'test' ? 'These move your own drawing: draw a digit to move it.' : '';
  };

  const el = h(
    'fieldset',
    {class: 'move-controls'},
    h('legend', {}, 'Move the digit'),
    rows,
    h('div', {class: 'row gap move-foot'}, h('label', {class: 'check'}, centre, 'MNIST centring'), reset),
    status,
  );
  lab.on('move', sync);
  lab.on('focus', note);
  sync();
  return {el};
}
