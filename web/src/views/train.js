// The training dashboard: choose a preset or write a layer spec, set the
// hyper-parameters, train (or race the MLP against the CNN in two workers), and
// watch live loss/accuracy curves, speed, progress and test accuracy per epoch.
import {SLOTS, slotFor} from '../lab.js';
import {SETTINGS, Settings, checkSetting, clip} from '../state.js';
import {h, rafThrottle, uid} from '../ui/dom.js';
import {bytes, int} from '../ui/format.js';
import * as charts from './train/charts.js';
import * as fields from './train/form.js';
import * as live from './train/live.js';
import {divergedText, engineText, errorText, SLOT_TITLE} from './words.js';

/** The settings whose default is the model's own recipe (a spec's: none). */
const EXTRAS = ['label_smoothing', 'test_shifts'];

export function mount(el, lab, opts = {}) {
  // The page's own URL holds the settings, a single view's too (?view=train&epochs=3, as an
  // iframe shows it); an element embedded in someone else's page leaves that page's URL alone.
  const settings = new Settings(!opts.embedded);
  const s = (k) => settings.get(k);

  // --- the form (train/form.js) ----------------------------------------------
  const f = fields.build(settings);
  const {model, modelInfo, spec, specCheck, specField, controls, recipeBtn} = f;
  const {epochs, batch, augment} = controls;
  const shown = (key) => fields.shownValue(settings, key);
  let augmentTouched = false;

  const trainBtn = h('button', {type: 'button', class: 'btn btn-primary', onclick: onTrain}, 'Train');
  const pauseBtn = h(
    'button',
    {type: 'button', class: 'btn', onclick: () => eachSlot('running', (n) => lab.pause(n))},
    'Pause',
  );
  const resumeBtn = h(
    'button',
    {type: 'button', class: 'btn', onclick: () => eachSlot('paused', (n) => lab.resume(n))},
    'Resume',
  );
  const stopBtn = h(
    'button',
    {type: 'button', class: 'btn', onclick: () => eachSlot('any', (n) => lab.stop(n))},
    'Stop',
  );
  const raceBtn = h('button', {type: 'button', class: 'btn btn-race', onclick: onRace}, 'Race MLP vs CNN');
  // Knobs while it trains: the learning rate from the next batch on, and one batch at a time.
  const rate = h('input', {
    type: 'number',
    id: uid('rate'),
    min: SETTINGS.lr.min,
    max: SETTINGS.lr.max,
    step: 'any',
    inputmode: 'decimal',
  });
  const rateBtn = h('button', {type: 'button', class: 'btn btn-sm', onclick: onRate}, 'Set rate');
  const stepBtn = h('button', {type: 'button', class: 'btn btn-sm', onclick: onStep}, 'Step one batch');
  const knobs = h(
    'div',
    {class: 'knobs'},
    h(
      'div',
      {class: 'row gap'},
      h('label', {for: rate.id}, 'New learning rate'),
      rate,
      rateBtn,
      h('span', {class: 'grow'}),
      stepBtn,
    ),
    h(
      'p',
      {class: 'small muted'},
      'Set rate: the run trains at it from its next batch on, the schedule stops there, and the charts mark where. ' +
        'Step one batch: the next batch of a paused run, or a new run that pauses after its first batch.',
    ),
  );
  const busyNote = h('p', {class: 'train-busy small', role: 'status', hidden: true});
  // What Train will run, as the form stands (or what to fix first).
  const summary = h('p', {class: 'train-summary small', 'aria-live': 'polite'});
  const alertBox = h('p', {class: 'train-alert', role: 'alert', hidden: true});

  // --- live metrics and charts (train/live.js, train/charts.js) ---------------
  const L = live.build();
  const C = charts.build();
  const renderEngine = () => live.renderEngine(L, engineText(lab.engines()));

  el.append(
    h(
      'div',
      {class: 'train-grid'},
      h(
        'div',
        {class: 'card train-controls'},
        h('h3', {}, 'Setup'),
        f.form,
        h('div', {class: 'row gap buttons'}, trainBtn, pauseBtn, resumeBtn, stopBtn),
        knobs,
        summary,
        h(
          'p',
          {class: 'small muted'},
          'Training makes a model of your own: the drawing pad then reads with it, badged as yours; ' +
            '"Back to pretrained", beside the pad, brings the pretrained one back.',
        ),
        busyNote,
        h(
          'div',
          {class: 'race-box'},
          raceBtn,
          h(
            'p',
            {class: 'small muted'},
            'Trains the mlp and cnn presets at once, each in its own worker, both with the settings above.',
          ),
        ),
        alertBox,
      ),
      h('div', {class: 'card train-live'}, ...L.before, C.box, ...L.after),
    ),
  );

  const runOf = (n) => lab.slots[n].training || lab.slots[n].lastRun;

  /**
   * Each slot's run: the one going, else the last one if it was still going when the newest run
   * started (a race's two, or two runs side by side), so the charts and numbers show only the
   * nets of the latest runs.
   */
  const runs = () => {
    const all = SLOTS.map(runOf);
    const newest = Math.max(...all.map((r) => r?.startedAt ?? -Infinity));
    return Object.fromEntries(SLOTS.map((n, i) => [n, all[i] && !(all[i].endedAt < newest) ? all[i] : null]));
  };

  const redraw = rafThrottle(() => {
    const drawn = runs();
    // A run smooths its labels as its config says, else (-1, unset) as its preset's recipe does.
    const smoothingOf = (r) =>
      r?.config?.label_smoothing >= 0 ? r.config.label_smoothing : (lab.preset(r?.model)?.recipe.label_smoothing ?? 0);
    const smoothing = Math.max(0, ...Object.values(drawn).map(smoothingOf));
    const any = charts.render(C, drawn, smoothing);
    L.emptyNote.hidden = any || !L.downloadNote.hidden;
  });

  // --- state -> DOM ----------------------------------------------------------
  let active = null; // the slot whose run the headline metrics follow

  const renderMetrics = () => {
    live.renderMetrics(L, active, active ? runOf(active) : null);
    live.renderFollow(L, active, runs(), (n) => {
      active = n;
      renderMetrics();
    });
  };

  const renderLanes = () => live.renderLanes(L, runs(), lab.downloadProgress());
  const renderEpochs = () => live.renderEpochs(L, runs());

  /** While a run waits for the MNIST files: how far the download is, and that the page stays usable. */
  function renderDownload() {
    const waiting = SLOTS.some((n) => lab.slots[n].training && !lab.slots[n].training.progress);
    if (live.renderDownload(L, waiting, lab.downloadProgress())) redraw();
  }

  /** Why Train is greyed out: the models fine-tune on the user's digits, or the chosen model's network trains. */
  function renderBusy(target) {
    if (lab.finetuning.busy) {
      busyNote.hidden = false;
      busyNote.textContent =
        'Both networks are fine-tuning on your digits (Draw view); Train is free again when that ends.';
      return;
    }
    const run = target ? lab.slots[target].training : null;
    busyNote.hidden = !run;
    if (!run) return;
    const chosen = model.value === 'custom' ? 'your spec' : model.value;
    const otherIdle = !lab.slots[target === 'mlp' ? 'cnn' : 'mlp'].training;
    const doing = run.progress ? 'training' : 'getting the data to train';
    busyNote.textContent =
      run.title === chosen
        ? `The ${SLOT_TITLE[target]} is ${doing} ${chosen} now; stop it to start again.`
        : `The ${SLOT_TITLE[target]} is ${doing} ${run.title || 'a model'} now: stop it to train ${chosen} instead` +
          `${otherIdle ? `, or pick a ${target === 'mlp' ? 'convolutional' : 'dense'} model to train beside it` : ''}.`;
  }

  function renderButtons() {
    const runs = SLOTS.map((n) => lab.slots[n].training).filter(Boolean);
    const target = targetSlot();
    const specOk = model.value !== 'custom' || specValid;
    const {errors} = readForm();
    // The race trains the mlp and cnn presets: only the settings shared by both must be right.
    const settingsOk = Object.keys(errors).every((k) => k === 'model');
    // A fine-tune runs in the same workers: a training run would stop it.
    const fineTuning = lab.finetuning.busy;
    trainBtn.disabled =
      !lab.presets.length || !target || !!lab.slots[target].training || !specOk || !settingsOk || fineTuning;
    pauseBtn.disabled = !runs.some((r) => r.state === 'running' || r.state === 'preparing');
    resumeBtn.disabled = !runs.some((r) => r.state === 'paused');
    stopBtn.disabled = !runs.some((r) => r.state !== 'stopping');
    raceBtn.disabled = !lab.presets.length || runs.length > 0 || !settingsOk || fineTuning;
    const turning = runs.filter((r) => r.samples > 0 && (r.state === 'running' || r.state === 'paused'));
    rateBtn.disabled = !turning.length || !!checkSetting('lr', rate.value).error;
    // Step: a paused run's next batch, or a new run paused after its first one.
    stepBtn.disabled = runs.some((r) => r.samples > 0 && r.state === 'paused') ? false : trainBtn.disabled;
    renderBusy(target);
    renderChecks(errors);
  }

  const renderAll = () => {
    renderMetrics();
    renderLanes();
    renderButtons();
    renderDownload();
  };

  function eachSlot(state, fn) {
    for (const n of SLOTS) {
      const t = lab.slots[n].training;
      if (!t) continue;
      if (state === 'any' || t.state === state || (state === 'running' && t.state === 'preparing')) fn(n);
    }
    renderAll();
  }

  // --- model choice -----------------------------------------------------------
  let specValid = false;
  let specInfo = null;
  let specPending = false; // typed, not yet checked

  /** The engine's defaults (lab.defaults, once a worker is up) in every field the link left unset. */
  function fillDefaults() {
    if (!epochs.disabled) return;
    for (const key of settings.useDefaults(lab.defaults)) setField(key, s(key));
    for (const control of Object.values(controls)) control.disabled = false;
    renderAll();
  }

  function fillModels() {
    // Listed by the slot each trains in (the core's `spatial`).
    const conv = lab.presets.filter((p) => slotFor(p) === 'cnn');
    const dense = lab.presets.filter((p) => slotFor(p) === 'mlp');
    model.replaceChildren(
      h(
        'optgroup',
        {label: 'Dense (MLP)'},
        dense.map((p) => h('option', {value: p.name}, `${p.name} · ${int(p.params)} params`)),
      ),
      h(
        'optgroup',
        {label: 'Convolutional (CNN)'},
        conv.map((p) => h('option', {value: p.name}, `${p.name} · ${int(p.params)} params`)),
      ),
      h('optgroup', {label: 'Your own'}, h('option', {value: 'custom'}, 'custom (layer spec)')),
    );
    const asked = shown('model');
    if (!knownModel(asked)) {
      // Only the engine knows the presets: an unknown name is refused once they are in.
      if (!settings.refused.model) settings.refuse('model', asked, 'The model must be one of the presets or custom.');
      model.append(h('option', {value: asked}, `${clip(asked)} (from the link)`));
    }
    model.value = asked;
    onModel(false);
  }

  const knownModel = (name) => name === 'custom' || !!lab.preset(name);

  function targetSlot() {
    if (model.value === 'custom') return specValid ? slotFor(specInfo) : null;
    const p = lab.preset(model.value);
    return p ? slotFor(p) : null;
  }

  function onModel(userChange) {
    const custom = model.value === 'custom';
    specField.wrap.hidden = !custom;
    const p = lab.preset(model.value);
    if (p) {
      const r = p.recipe;
      modelInfo.replaceChildren(h('code', {}, p.spec));
      modelInfo.append(
        h('br'),
        `Trains in the ${SLOT_TITLE[slotFor(p)]}'s place · full recipe: ${r.epochs} epoch${r.epochs === 1 ? '' : 's'}, batch ${r.batch}, ${r.optimizer} ${r.lr}${r.augment ? ', augmentation' : ''}` +
          `${r.label_smoothing > 0 ? `, label smoothing ${r.label_smoothing}` : ''}${r.test_shifts > 0 ? `, ${r.test_shifts} test shifts` : ''}`,
      );
      if (r.epochs === 1) {
        // A preset made for a one-epoch run in the page (fast: 99% about 3 s after Train)
        // trains with its own recipe, chosen in the form or named by a link: there, in
        // every field the link leaves out.
        useRecipe(userChange ? () => true : (key) => !settings.linked.has(key));
      } else if (userChange) {
        // A short run: the engine's defaults (Session::defaults says why they are these),
        // augmentation only from 5 epochs. "Use the full recipe" gives the preset's own
        // long-run settings.
        for (const key of ['batch', 'lr', 'optimizer', 'schedule']) setField(key, settings.defaults[key]);
        settings.forget('augment');
        augmentTouched = false;
        autoAugment();
      }
    } else if (custom) {
      modelInfo.textContent = 'Write a layer spec: tokens joined by "-", the last layer giving 10 outputs.';
      validateSpec();
    } else {
      modelInfo.textContent = ''; // a name the link gave that is no model: its note says so
    }
    // Label smoothing and the shifted test are the model's own unless the link or the user says
    // otherwise: its preset's recipe, none for a spec. Another model brings its own.
    for (const key of EXTRAS) {
      settings.defaults[key] = p ? p.recipe[key] : 0;
      if (userChange || (s(key) === undefined && !settings.refused[key])) setField(key, settings.defaults[key]);
    }
    recipeBtn.hidden = !p;
    saveForm();
    renderButtons();
  }

  function autoAugment() {
    if (augmentTouched || settings.refused.augment) return;
    const p = lab.preset(model.value);
    augment.checked = !!(p?.recipe.augment && Number(epochs.value) >= 5);
  }

  /**
   * The preset's recipe in the form: in every field, or in those `take(key)` says.
   * @param {(key: string) => boolean} [take]
   */
  function useRecipe(take = (_key) => true) {
    const p = lab.preset(model.value);
    if (!p) return;
    const r = p.recipe;
    for (const key of ['epochs', 'batch', 'lr', 'optimizer', 'schedule', 'augment', 'limit', ...EXTRAS])
      if (take(key)) setField(key, r[key]);
    augmentTouched = true;
    saveForm();
    renderButtons();
  }

  const setField = (key, value) => fields.setField(f, settings, key, value);

  let validateSeq = 0;
  /**
   * Asks the engine about the custom spec at the form's batch size, before any worker trains
   * it: the engine's message, as it words it, when the spec is wrong or training it would not
   * fit in memory (with its estimate and the limit).
   */
  async function validateSpec() {
    const seq = ++validateSeq;
    const text = spec.value.trim();
    if (!text) {
      showSpec('error', 'Empty spec.');
      renderButtons();
      return;
    }
    showSpec('pending', 'Checking…'); // Train waits for the answer about this text at this batch size
    renderButtons();
    try {
      const size = checkSetting('batch', batch.value).value ?? settings.defaults.batch;
      const r = await lab.describe(text, size);
      if (seq !== validateSeq) return;
      showSpec(
        r.ok ? 'ok' : 'error',
        r.ok
          ? `✓ Valid · ${int(r.params)} parameters · trains in the ${SLOT_TITLE[slotFor(r)]}'s place · about ${bytes(r.bytes)} to train at batch ${r.batch}`
          : `✗ ${r.error}`,
        r.ok ? r : null,
      );
    } catch (e) {
      if (seq !== validateSeq) return;
      showSpec('error', errorText(e));
    }
    renderButtons();
  }

  /** The spec field's state: 'pending' (typed, not checked yet), 'ok' (info: the engine's description) or 'error'. */
  function showSpec(state, text, info = null) {
    specPending = state === 'pending';
    specValid = state === 'ok';
    specInfo = info;
    specCheck.className = `spec-check small${state === 'pending' ? '' : ` ${state}`}`;
    specCheck.textContent = text;
  }

  /**
   * The form as settings: values (by key) that may run as they are, and errors (by
   * key: the sentence shown at that field) for the fields that may not.
   */
  const readForm = () => fields.read(f, settings);

  /** Marks each field invalid (aria-invalid, its message beside it) or clears it; says what Train runs. */
  function renderChecks(errors) {
    const specBad = model.value === 'custom' && !specValid && !specPending && specCheck.textContent !== '';
    fields.mark(f, settings, errors, specBad);
    const bad = Object.keys(errors).length + (specBad ? 1 : 0);
    summary.classList.toggle('error', bad > 0);
    const text = bad ? `Fix the ${bad === 1 ? 'field' : `${bad} fields`} marked in red to train.` : runText();
    if (summary.textContent !== text) summary.textContent = text;
  }

  /** "Train runs mlp (535,818 parameters) in the MLP's place: 2 epochs of 60,000 digits in batches of 64, ..." */
  function runText() {
    if (model.value === 'custom' && specPending) return 'Checking the layer spec…';
    const target = targetSlot();
    if (!target) return '';
    const p = lab.preset(model.value);
    return fields.runText(p ? p.name : 'your spec', p ? p.params : specInfo.params, target, readForm().values);
  }

  /** Keeps what may run (URL or memory); a field still showing a refused link value keeps that instead. */
  function saveForm() {
    const {values} = readForm();
    settings.set({...(settings.refused.model ? {} : {model: model.value}), spec: spec.value.trim(), ...values});
  }

  function showError(message) {
    alertBox.hidden = !message;
    alertBox.textContent = message || '';
  }

  /** The training config as the form shows it, or null while a field is invalid (Train is disabled then). */
  function checkedConfig() {
    showError('');
    const {values, errors} = readForm();
    return Object.keys(errors).length ? null : values;
  }

  /** Trains the chosen model (paused: the run pauses before its first batch) -> the slot it trains in, or null. */
  async function onTrain(_event, paused = false) {
    const cfg = checkedConfig();
    if (!cfg) return null;
    const custom = model.value === 'custom';
    const target = targetSlot();
    if (!target) return null;
    const name = custom ? specInfo.spec : model.value;
    active = target;
    saveForm();
    try {
      await lab.train(target, {model: name, title: custom ? 'custom' : model.value, config: cfg, paused});
      if (!rate.value) rate.value = String(cfg.lr);
      return target;
    } catch (e) {
      showError(errorText(e));
      return null;
    } finally {
      renderAll();
    }
  }

  async function onRate() {
    const {value, error} = checkSetting('lr', rate.value);
    if (error) return showError(error);
    showError('');
    const turning = SLOTS.filter((n) => lab.slots[n].training?.samples > 0);
    try {
      await Promise.all(turning.map((n) => lab.setLearningRate(n, value)));
    } catch (e) {
      showError(errorText(e));
    }
  }

  /** One batch of each paused run; with none, a new run of the chosen model that pauses after its first batch. */
  async function onStep() {
    showError('');
    let paused = SLOTS.filter((n) => lab.slots[n].training?.state === 'paused' && lab.slots[n].training.samples > 0);
    if (!paused.length) {
      const started = await onTrain(null, true);
      if (!started) return;
      paused = [started];
    }
    try {
      await Promise.all(paused.map((n) => lab.step(n)));
    } catch (e) {
      showError(errorText(e));
    }
  }

  async function onRace() {
    const cfg = checkedConfig();
    if (!cfg) return;
    active = 'cnn';
    if (!rate.value) rate.value = String(cfg.lr);
    // Both with the same settings from the form, so the race is fair.
    const configFor = () => ({...cfg});
    try {
      await lab.race(configFor);
    } catch (e) {
      showError(errorText(e));
    }
    renderAll();
  }

  // --- wiring ----------------------------------------------------------------
  recipeBtn.addEventListener('click', () => useRecipe());
  rate.addEventListener('input', renderButtons);
  model.addEventListener('change', () => {
    settings.forget('model');
    onModel(true);
  });
  let specTimer = 0;
  spec.addEventListener('input', () => {
    // Until the engine has answered, the spec on screen is not the one last checked: Train waits.
    showSpec('pending', 'Checking…');
    renderButtons();
    clearTimeout(specTimer);
    specTimer = setTimeout(() => {
      validateSpec();
      saveForm();
    }, 120);
  });
  // A field the user sets no longer shows what the link asked for; each change is checked at once.
  for (const [key, control] of Object.entries(controls)) {
    control.addEventListener(control.tagName === 'SELECT' || control.type === 'checkbox' ? 'change' : 'input', () => {
      settings.forget(key);
      if (key === 'epochs') autoAugment();
      if (key === 'augment') augmentTouched = true;
      if (key === 'batch' && model.value === 'custom') validateSpec(); // the memory a spec needs grows with the batch
      saveForm();
      renderButtons();
    });
  }

  lab.on('ready', fillDefaults);
  if (lab.defaults) fillDefaults();
  lab.on('ready', fillModels);
  if (lab.presets.length) fillModels();
  lab.on('ready', renderEngine);
  lab.on('model', renderEngine); // a slot became ready, or restarted
  lab.on('cores', renderEngine); // two runs share the cores, or one has them back
  renderEngine();
  const told = new WeakSet(); // the diverged runs this view's alert box has told of
  lab.on('training', ({slot}) => {
    const t = lab.slots[slot].training;
    const last = lab.slots[slot].lastRun;
    if (!t && last?.reason === 'diverged' && !told.has(last)) {
      told.add(last);
      showError(`${SLOT_TITLE[slot]}: ${divergedText(last)}`);
    }
    if (t && (t.state === 'preparing' || !active)) active = slot;
    if (t?.state === 'preparing' && !t.points.length) redraw();
    renderAll();
    renderEpochs();
    redraw();
  });
  lab.on('progress', ({slot}) => {
    if (!active) active = slot;
    renderAll();
    redraw();
  });
  lab.on('epoch', () => {
    renderAll();
    renderEpochs();
    redraw();
  });
  lab.on('data', () => {
    renderLanes();
    renderDownload();
  });
  lab.on('finetune', renderButtons); // a fine-tune started or ended
  renderAll();
}
