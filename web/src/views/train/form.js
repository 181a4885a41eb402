// The Train form: the model (a preset or a layer spec) and the training settings, each
// field checked as it changes (state.js says what each may be) and marked, with why,
// where it may not run. build() makes the fields from the settings as they stand;
// read() and mark() go between the fields and the settings.
import {SETTINGS, checkSetting, clip} from '../../state.js';
import {field, h, uid} from '../../ui/dom.js';
import {int} from '../../ui/format.js';
import {SLOT_TITLE} from '../words.js';

// Offered (0: all; 44,000: the fast preset's epoch); SETTINGS.limit says what may be asked for.
const LIMITS = [0, 44000, 20000, 5000, 1000];
const OPTIMIZERS = {adam: 'Adam', sgd: 'SGD + momentum'};
const SCHEDULES = {cosine: 'Cosine decay', constant: 'Constant', step: 'Step decay', onecycle: 'One-cycle'};
const SHIFTS = {0: 'None', 2: '2: ← →', 4: '4: ← → ↑ ↓'};
/** How often a run is tested, as the "Test every" field offers it. */
const testEvery = (n) => (n === 0 ? 'Epoch' : `${int(n)} digits`);

/**
 * What a field shows for a setting: a value the URL gave but the form refuses is shown as
 * given (an extra option in a list), marked invalid with why, until the user sets the field.
 */
export const shownValue = (settings, key) => settings.refused[key]?.raw ?? String(settings.get(key) ?? '');

/**
 * The form's fields from `settings` (state.js Settings): {form, model, modelInfo, spec, specCheck,
 * specField, controls (the training settings' fields by key), notes (where each says what is
 * wrong, by key), recipeBtn}. The training settings' fields start disabled: they wait for the
 * engine's defaults.
 */
export function build(settings) {
  const s = (k) => settings.get(k);
  const shown = (key) => shownValue(settings, key);
  const choice = (key, options) => {
    const asked = shown(key);
    const list = options.map(([v, text]) => [String(v), text]);
    if (asked !== '' && !list.some(([v]) => v === asked)) list.push([asked, `${clip(asked)} (from the link)`]);
    return h(
      'select',
      {id: uid(key)},
      list.map(([v, text]) => h('option', {value: v, selected: v === asked}, text)),
    );
  };
  const number = (key, step, inputmode) =>
    h('input', {
      type: 'number',
      id: uid(key),
      min: SETTINGS[key].min,
      max: SETTINGS[key].max,
      step,
      value: shown(key),
      inputmode,
    });
  const model = h('select', {id: uid('model')}, h('option', {value: shown('model')}, shown('model')));
  const modelInfo = h('p', {class: 'model-info small muted'}, '');
  const spec = h('textarea', {id: uid('spec'), rows: 2, spellcheck: 'false', autocomplete: 'off', value: s('spec')});
  const specCheck = h('p', {class: 'spec-check small', id: uid('spec-check'), 'aria-live': 'polite'}, '');
  spec.setAttribute('aria-describedby', specCheck.id);
  const controls = {
    epochs: number('epochs', 1, 'numeric'),
    batch: choice(
      'batch',
      SETTINGS.batch.choices.map((b) => [b, String(b)]),
    ),
    // Up to the core's own limit: a rate that makes training diverge is a lesson, and the core stops it safely.
    lr: number('lr', 'any', 'decimal'),
    optimizer: choice('optimizer', Object.entries(OPTIMIZERS)),
    schedule: choice('schedule', Object.entries(SCHEDULES)),
    // A link may ask for another number of digits (?limit=6000): it is offered too, so the link reproduces its run.
    limit: choice(
      'limit',
      [...new Set([...LIMITS, s('limit') ?? 0])]
        .sort((a, b) => (b || Infinity) - (a || Infinity))
        .map((n) => [n, n === 0 ? 'All 60,000' : int(n)]),
    ),
    seed: number('seed', 1, 'numeric'),
    label_smoothing: number('label_smoothing', 'any', 'decimal'),
    test_shifts: choice('test_shifts', Object.entries(SHIFTS)),
    augment: h('input', {type: 'checkbox', id: uid('aug'), checked: s('augment')}),
    eval_every: choice(
      'eval_every',
      SETTINGS.eval_every.choices.map((n) => [n, testEvery(Number(n))]),
    ),
    until: number('until', 'any', 'decimal'),
  };
  // Each waits for its default, which the engine gives once a worker is up.
  for (const control of Object.values(controls)) control.disabled = true;
  /** Where each field says what is wrong with it (aria-describedby). */
  const notes = Object.fromEntries(
    ['model', ...Object.keys(controls)].map((key) => [
      key,
      h('p', {class: 'field-error small', id: uid(`${key}-error`), hidden: true}),
    ]),
  );
  const specField = field('Layer spec', spec);
  specField.wrap.classList.add('span-all', 'spec-field');
  specField.wrap.append(specCheck);
  const checked = (label, key) => {
    const f = field(label, controls[key]);
    f.wrap.append(notes[key]);
    return f.wrap;
  };
  const recipeBtn = h('button', {type: 'button', class: 'btn btn-sm btn-ghost'}, 'Use the full recipe');
  const form = h(
    'div',
    {class: 'train-form'},
    h('div', {class: 'field span-2'}, h('label', {for: model.id}, 'Model'), model, notes.model, modelInfo),
    specField.wrap,
    checked('Epochs', 'epochs'),
    checked('Batch size', 'batch'),
    checked('Learning rate', 'lr'),
    checked('Optimizer', 'optimizer'),
    checked('Schedule', 'schedule'),
    checked('Training digits', 'limit'),
    checked('Seed', 'seed'),
    checked('Label smoothing', 'label_smoothing'),
    checked('Test shifts', 'test_shifts'),
    checked('Test every', 'eval_every'),
    checked('Stop at accuracy (%)', 'until'),
    h(
      'div',
      {class: 'span-2'},
      h(
        'label',
        {class: 'check', for: controls.augment.id},
        controls.augment,
        'Augmentation (random shifts and rotations)',
      ),
      notes.augment,
    ),
    h('div', {class: 'row gap span-all'}, recipeBtn),
  );
  return {form, model, modelInfo, spec, specCheck, specField, controls, notes, recipeBtn};
}

/**
 * The form as settings: values (by key) that may run as they are, and errors (by key: the
 * sentence shown at that field) for the fields that may not.
 */
export function read(f, settings) {
  const values = {};
  const errors = {};
  for (const [key, control] of Object.entries(f.controls)) {
    if (control.disabled) continue; // no value yet: it waits for the engine's default
    const r = checkSetting(key, control.type === 'checkbox' ? (control.checked ? '1' : '0') : control.value);
    if (settings.refused[key]) errors[key] = settings.refused[key].message;
    else if (r.error) errors[key] = r.error;
    else values[key] = r.value;
  }
  if (settings.refused.model) errors.model = settings.refused.model.message;
  return {values, errors};
}

/** Sets a field (a recipe, the defaults): what the link asked for there no longer counts. */
export function setField(f, settings, key, value) {
  settings.forget(key);
  const control = f.controls[key];
  if (control.type === 'checkbox') control.checked = value;
  else control.value = String(value);
}

/** Marks each field invalid (aria-invalid, its message beside it) or clears it; specBad: the spec field. */
export function mark(f, settings, errors, specBad) {
  const one = (control, note, message, refused) => {
    note.hidden = !message;
    // The link's parameter ("?batch=100000") kept in one piece where the line has room for it.
    if (note.textContent !== (message || '')) {
      note.replaceChildren(
        ...(message && refused?.message === message
          ? ["The link's ", h('code', {}, refused.param), ` is not used. ${refused.why}`]
          : [message || '']),
      );
    }
    if (message) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
    if (message) control.setAttribute('aria-describedby', note.id);
    else if (control !== f.spec) control.removeAttribute('aria-describedby');
  };
  one(f.model, f.notes.model, errors.model, settings.refused.model);
  for (const key of Object.keys(f.controls)) one(f.controls[key], f.notes[key], errors[key], settings.refused[key]);
  if (specBad) f.spec.setAttribute('aria-invalid', 'true');
  else f.spec.removeAttribute('aria-invalid');
}

/**
 * What Train runs, for a model (name, params) in a slot with these settings' values:
 * "Train runs mlp (535,818 parameters) in the MLP's place: 2 epochs of 60,000 digits in batches of 64, ..."
 */
export function runText(name, params, slot, v) {
  const smooth = v.label_smoothing > 0 ? ` It smooths the labels by ${v.label_smoothing}` : '';
  const shifts = v.test_shifts > 0;
  const also =
    smooth || shifts
      ? `${smooth || ' It'}${smooth && shifts ? ', and' : ''}${shifts ? ` scores each test digit it is unsure of with its ${v.test_shifts} one-pixel shifts as well` : ''}.`
      : '';
  const tests = v.eval_every > 0 ? ` It tests every ${int(v.eval_every)} digits as well as after each epoch` : '';
  const stop = v.until > 0 ? `${tests ? ', and' : ' It'} stops at the first test at or above ${v.until}%` : '';
  return (
    `Train runs ${name} (${int(params)} parameters) in the ${SLOT_TITLE[slot]}'s place: ` +
    `${v.epochs} epoch${v.epochs === 1 ? '' : 's'} of ${int(v.limit || SETTINGS.limit.max)} digits in batches of ${v.batch}, ` +
    `${OPTIMIZERS[v.optimizer]} at ${v.lr} with a ${SCHEDULES[v.schedule].toLowerCase()} schedule, ` +
    `${v.augment ? 'with augmentation' : 'no augmentation'}, seed ${v.seed}.${also}${tests || stop ? `${tests}${stop}.` : ''}`
  );
}
