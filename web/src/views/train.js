// The training dashboard: choose a preset or write a layer spec, set the
// hyper-parameters, train (or race the MLP against the CNN in two workers), and
// watch live loss/accuracy curves, speed, progress and test accuracy per epoch.
import uPlot from 'uplot';
import {SLOTS, slotFor} from '../lab.js';
import {Settings, SETTINGS, checkSetting, clip} from '../state.js';
import {SLOT_COLOR} from '../ui/color.js';
import {field, h, rafThrottle, uid} from '../ui/dom.js';
import {bytes, duration, fixed, int, pct} from '../ui/format.js';
import {divergedText, engineText, errorText, SLOT_TITLE} from './words.js';

const LIMITS = [0, 20000, 5000, 1000]; // offered (0: all); SETTINGS.limit says what may be asked for
const OPTIMIZERS = {adam: 'Adam', sgd: 'SGD + momentum'};
const SCHEDULES = {cosine: 'Cosine decay', constant: 'Constant', step: 'Step decay', onecycle: 'One-cycle'};

export function mount(el, lab, opts = {}) {
  // The page's own URL holds the settings, a single view's too (?view=train&epochs=3, as an
  // iframe shows it); an element embedded in someone else's page leaves that page's URL alone.
  const settings = new Settings(!opts.embedded);
  const s = (k) => settings.get(k);

  // --- the form ------------------------------------------------------------
  // A value the URL gave but the form refuses is shown as given (an extra option in
  // a list), marked invalid with why, until the user sets the field.
  const shown = (key) => settings.refused[key]?.raw ?? String(s(key) ?? '');
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
  const model = h('select', {id: uid('model')}, h('option', {value: shown('model')}, shown('model')));
  const modelInfo = h('p', {class: 'model-info small muted'}, '');
  const spec = h('textarea', {id: uid('spec'), rows: 2, spellcheck: 'false', autocomplete: 'off', value: s('spec')});
  const specCheck = h('p', {class: 'spec-check small', id: uid('spec-check'), 'aria-live': 'polite'}, '');
  spec.setAttribute('aria-describedby', specCheck.id);
  const {epochs: E, lr: LR} = SETTINGS;
  const epochs = h('input', {
    type: 'number',
    id: uid('epochs'),
    min: E.min,
    max: E.max,
    step: 1,
    value: shown('epochs'),
    inputmode: 'numeric',
  });
  const batch = choice(
    'batch',
    SETTINGS.batch.choices.map((b) => [b, String(b)]),
  );
  // Up to the core's own limit: a rate that makes training diverge is a lesson, and the core stops it safely.
  const lr = h('input', {
    type: 'number',
    id: uid('lr'),
    min: LR.min,
    max: LR.max,
    step: 'any',
    value: shown('lr'),
    inputmode: 'decimal',
  });
  const optimizer = choice('optimizer', Object.entries(OPTIMIZERS));
  const schedule = choice('schedule', Object.entries(SCHEDULES));
  // A link may ask for another number of digits (?limit=6000): it is offered too, so the link reproduces its run.
  const limit = choice(
    'limit',
    [...new Set([...LIMITS, s('limit') ?? 0])]
      .sort((a, b) => (b || Infinity) - (a || Infinity))
      .map((n) => [n, n === 0 ? 'All 60,000' : int(n)]),
  );
  const augment = h('input', {type: 'checkbox', id: uid('aug'), checked: s('augment')});
  const SEED = SETTINGS.seed;
  const seed = h('input', {
    type: 'number',
    id: uid('seed'),
    min: SEED.min,
    max: SEED.max,
    step: 1,
    value: shown('seed'),
    inputmode: 'numeric',
  });
  let augmentTouched = false;
  /** The form's settings by key (model and spec apart: the engine checks those). */
  const controls = {epochs, batch, lr, optimizer, schedule, limit, seed, augment};
  // Each waits for its default, which the engine gives once a worker is up (fillDefaults).
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
  const recipeBtn = h(
    'button',
    {type: 'button', class: 'btn btn-sm btn-ghost', onclick: useRecipe},
    'Use the full recipe',
  );
  const busyNote = h('p', {class: 'train-busy small', role: 'status', hidden: true});
  // What Train will run, as the form stands (or what to fix first).
  const summary = h('p', {class: 'train-summary small', 'aria-live': 'polite'});
  const alertBox = h('p', {class: 'train-alert', role: 'alert', hidden: true});

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
    h(
      'div',
      {class: 'span-2'},
      h('label', {class: 'check', for: augment.id}, augment, 'Augmentation (random shifts and rotations)'),
      notes.augment,
    ),
    h('div', {class: 'row gap span-all'}, recipeBtn),
  );

  // --- live metrics --------------------------------------------------------
  const metric = (label, attrs = {}) => {
    const v = h('span', {class: 'v', ...attrs}, '—');
    return {el: h('div', {class: 'metric'}, h('span', {class: 'k'}, label), v), v};
  };
  const mEpoch = metric('Epoch');
  const mTest = metric('Test accuracy', {'data-metric': 'test-accuracy'});
  const mTestLoss = metric('Test loss');
  const mTrain = metric('Train accuracy');
  const mSpeed = metric('Samples / s', {'data-metric': 'samples-per-second'});
  const mEta = metric('Time left');
  // Which build trains: "WebAssembly SIMD · 2 threads" on a cross-origin isolated page.
  const engineNote = h('p', {class: 'small muted engine-note', 'data-engine': ''});
  const renderEngine = () => {
    const text = engineText(lab.engines());
    engineNote.textContent = text ? `Engine: ${text}` : '';
    engineNote.hidden = !text;
  };
  const barFill = h('span', {class: 'bar'});
  const progress = h(
    'div',
    {
      class: 'progress',
      role: 'progressbar',
      'aria-label': 'Training progress',
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': 0,
    },
    barFill,
  );
  const lanes = h('div', {class: 'lanes'});
  const lossBox = h('div', {class: 'chart'});
  const accBox = h('div', {class: 'chart'});
  const downloadText = h('span', {});
  const downloadNote = h(
    'p',
    {class: 'download-note', role: 'status', hidden: true},
    h('span', {class: 'spinner', 'aria-hidden': 'true'}),
    downloadText,
  );
  const emptyNote = h(
    'p',
    {class: 'chart-empty'},
    'Press Train, or race the two networks, to draw the loss and accuracy curves here: thin lines for the training batches, dots for the test set after each epoch.',
  );
  const epochTable = h('tbody');

  el.append(
    h(
      'div',
      {class: 'train-grid'},
      h(
        'div',
        {class: 'card train-controls'},
        h('h3', {}, 'Setup'),
        form,
        h('div', {class: 'row gap buttons'}, trainBtn, pauseBtn, resumeBtn, stopBtn),
        summary,
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
      h(
        'div',
        {class: 'card train-live'},
        h('div', {class: 'metrics'}, mEpoch.el, mTest.el, mTestLoss.el, mTrain.el, mSpeed.el, mEta.el),
        engineNote,
        progress,
        lanes,
        downloadNote,
        emptyNote,
        h(
          'div',
          {class: 'charts', hidden: true},
          h('figure', {}, h('figcaption', {}, 'Loss ', h('span', {class: 'muted'}, '(lower is better)')), lossBox),
          h('figure', {}, h('figcaption', {}, 'Accuracy'), accBox),
        ),
        h(
          'details',
          {class: 'epochs'},
          h('summary', {}, 'Epoch by epoch'),
          h(
            'div',
            {class: 'table-scroll'},
            h(
              'table',
              {class: 'table'},
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['Net', 'Epoch', 'Train loss', 'Train acc.', 'Test loss', 'Test acc.', 'Time'].map((t) =>
                    h('th', {scope: 'col'}, t),
                  ),
                ),
              ),
              epochTable,
            ),
          ),
        ),
      ),
    ),
  );

  // --- charts --------------------------------------------------------------
  /** @type {import('uplot').Series[]} */
  const series = [{label: 'epoch', value: (_u, v) => (v === null || v === undefined ? '–' : v.toFixed(2))}];
  for (const n of SLOTS) {
    series.push({
      label: `${SLOT_TITLE[n]} train`,
      stroke: SLOT_COLOR[n],
      width: 1.6,
      spanGaps: true,
      points: {show: false},
    });
    series.push({
      label: `${SLOT_TITLE[n]} test`,
      stroke: SLOT_COLOR[n],
      width: 2,
      dash: [5, 4],
      spanGaps: true,
      points: {show: true, size: 7, fill: '#fff', stroke: SLOT_COLOR[n], width: 2},
    });
  }
  const chartOpts = (yLabel, fmt, range) => ({
    width: 400,
    height: 220,
    series,
    legend: {live: true},
    cursor: {points: {size: 6}, drag: {x: false, y: false}},
    scales: {x: {time: false}, y: range ? {range} : {}},
    axes: [
      {
        label: 'epoch',
        size: 36,
        labelSize: 16,
        stroke: '#64748b',
        grid: {stroke: '#eef0f6'},
        ticks: {stroke: '#eef0f6'},
      },
      {
        label: yLabel,
        size: 52,
        labelSize: 16,
        stroke: '#64748b',
        grid: {stroke: '#eef0f6'},
        ticks: {stroke: '#eef0f6'},
        values: (_u, v) => v.map(fmt),
      },
    ],
  });
  /** @returns {import('uplot').AlignedData} */
  const empty = () => [[], ...series.slice(1).map(() => [])];
  const lossChart = new uPlot(
    chartOpts('loss', (v) => v.toFixed(2)),
    empty(),
    lossBox,
  );
  const accChart = new uPlot(
    chartOpts(
      'accuracy',
      (v) => `${(v * 100).toFixed(v > 0.99 ? 1 : 0)}%`,
      (_u, lo, _hi) => [Math.max(0, Math.min(lo, 0.9)), 1],
    ),
    empty(),
    accBox,
  );
  const resize = () => {
    for (const [chart, box] of [
      [lossChart, lossBox],
      [accChart, accBox],
    ]) {
      const w = Math.max(240, Math.floor(box.clientWidth));
      if (chart.width !== w) chart.setSize({width: w, height: 220});
    }
  };
  new ResizeObserver(resize).observe(lossBox);

  const runOf = (n) => lab.slots[n].training || lab.slots[n].lastRun;

  /** One shared x axis (epochs) for both slots' train points and test points. */
  /** @returns {import('uplot').AlignedData[]} */
  function chartData() {
    const rows = new Map();
    const put = (x, col, v) => {
      const key = Math.round(x * 1e4) / 1e4;
      if (!rows.has(key)) rows.set(key, new Array(series.length).fill(null));
      rows.get(key)[col] = v;
    };
    SLOTS.forEach((n, k) => {
      const run = runOf(n);
      if (!run) return;
      const pts = run.points || [];
      const stride = Math.max(1, Math.ceil(pts.length / 600));
      let emaL = null;
      let emaA = null;
      pts.forEach((p, i) => {
        emaL = emaL === null ? p.loss : emaL * 0.7 + p.loss * 0.3;
        emaA = emaA === null ? p.acc : emaA * 0.7 + p.acc * 0.3;
        if (i % stride === 0 || i === pts.length - 1) {
          put(p.x, 1 + k * 2, [emaL, emaA]);
        }
      });
      for (const e of run.epochs || []) put(e.epoch, 2 + k * 2, [e.testLoss, e.testAccuracy]);
    });
    const xs = [...rows.keys()].sort((a, b) => a - b);
    /** @returns {import('uplot').AlignedData} */
    const pick = (j) => [xs, ...series.slice(1).map((_, c) => xs.map((x) => rows.get(x)[c + 1]?.[j] ?? null))];
    return [pick(0), pick(1)];
  }

  const redraw = rafThrottle(() => {
    const [loss, acc] = chartData();
    emptyNote.hidden = loss[0].length > 0 || !downloadNote.hidden;
    lossBox.closest('.charts').hidden = loss[0].length === 0;
    lossChart.setData(loss);
    accChart.setData(acc);
    resize();
  });

  // --- state -> DOM ----------------------------------------------------------
  let active = null; // the slot whose run the headline metrics follow

  function renderMetrics() {
    const run = active ? runOf(active) : null;
    const p = run?.progress;
    if (!run) return;
    const last = run.epochs?.[run.epochs.length - 1];
    mEpoch.v.textContent = p ? `${p.epoch} / ${p.epochs}` : `0 / ${run.config?.epochs ?? '—'}`;
    mTest.v.textContent = last ? pct(last.testAccuracy) : '—';
    mTestLoss.v.textContent = last ? fixed(last.testLoss, 4) : '—';
    mTrain.v.textContent = p && p.batch > 0 ? pct(p.accuracy) : '—';
    mSpeed.v.textContent = p && p.samples_per_second > 0 ? int(p.samples_per_second) : '—';
    const done = run.state === 'done';
    mEta.v.textContent = done ? (run.reason === 'finished' ? 'done' : run.reason) : p ? duration(p.eta) : '…';
    const frac = done && run.reason === 'finished' ? 1 : p ? p.step / p.total_steps : 0;
    // A transform, not a width: a width transition repaints the page every frame
    // (with 10 updates a second, that kept the main thread busy through training).
    barFill.style.transform = `scaleX(${frac.toFixed(4)})`;
    progress.setAttribute('aria-valuenow', String(Math.round(frac * 100)));
    progress.classList.toggle('paused', run.state === 'paused');
    progress.classList.add(`tint-${active}`);
    progress.classList.remove(`tint-${active === 'mlp' ? 'cnn' : 'mlp'}`);
  }

  function renderLanes() {
    lanes.replaceChildren(
      ...SLOTS.filter((n) => runOf(n)).map((n) => {
        const run = runOf(n);
        const p = run.progress;
        const last = run.epochs?.[run.epochs.length - 1];
        // Before its first step a run waits for the MNIST files: its bar then shows the download.
        const dl = !p && run.state !== 'done' ? lab.downloadProgress() : null;
        const frac =
          run.state === 'done' && run.reason === 'finished'
            ? 1
            : p
              ? p.step / p.total_steps
              : dl
                ? dl.loaded / dl.total
                : 0;
        const state =
          dl && !dl.done
            ? `downloading the digits, ${bytes(dl.loaded)} of ${bytes(dl.total)}`
            : {
                preparing: 'loading the digits…',
                running: 'training',
                paused: 'paused',
                stopping: 'stopping…',
                done: run.reason === 'finished' ? 'finished' : run.reason,
              }[run.state];
        return h(
          'div',
          {class: `lane lane-${n}${dl ? ' lane-download' : ''}`, dataset: {state: run.state}},
          h('span', {class: `chip chip-${n}`}, SLOT_TITLE[n]),
          h('span', {class: 'lane-title'}, run.title || ''),
          h(
            'span',
            {class: 'lane-track'},
            h('span', {class: 'lane-fill', style: {width: `${(frac * 100).toFixed(1)}%`}}),
          ),
          h(
            'span',
            {class: 'lane-stats'},
            `${state}${p ? ` · epoch ${p.epoch}/${p.epochs} · ${int(p.samples_per_second)}/s` : ''}` +
              `${last ? ` · test ${pct(last.testAccuracy)}` : ''}` +
              `${run.state === 'running' && p ? ` · ${duration(p.eta)} left` : ''}`,
          ),
        );
      }),
    );
  }

  function renderEpochs() {
    const rows = [];
    for (const n of SLOTS) {
      const run = runOf(n);
      for (const e of run?.epochs || []) {
        rows.push(
          h(
            'tr',
            {},
            h('td', {}, h('span', {class: `chip chip-${n}`}, SLOT_TITLE[n])),
            h('td', {}, String(e.epoch)),
            h('td', {}, fixed(e.trainLoss, 4)),
            h('td', {}, pct(e.trainAccuracy)),
            h('td', {}, fixed(e.testLoss, 4)),
            h('td', {}, h('b', {}, pct(e.testAccuracy))),
            h('td', {}, duration(e.elapsed)),
          ),
        );
      }
    }
    epochTable.replaceChildren(...rows);
  }

  /** While a run waits for the MNIST files: how far the download is, and that the page stays usable. */
  function renderDownload() {
    const waiting = SLOTS.some((n) => lab.slots[n].training && !lab.slots[n].training.progress);
    const dl = lab.downloadProgress();
    const show = waiting && !dl.done;
    if (show) {
      downloadText.textContent =
        dl.loaded > 0
          ? `Downloading the MNIST digits: ${bytes(dl.loaded)} of ${bytes(dl.total)}. `
          : `Waiting for the server to send the MNIST digits (${bytes(dl.total)}). `;
      downloadText.append(
        h(
          'span',
          {class: 'muted'},
          'Training starts once they are in; meanwhile the drawing pad and the other views keep working.',
        ),
      );
    }
    if (downloadNote.hidden === show) {
      downloadNote.hidden = !show;
      redraw();
    }
  }

  /** Why Train is greyed out when the chosen model's network is already training. */
  function renderBusy(target) {
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
    trainBtn.disabled = !lab.presets.length || !target || !!lab.slots[target].training || !specOk || !settingsOk;
    pauseBtn.disabled = !runs.some((r) => r.state === 'running' || r.state === 'preparing');
    resumeBtn.disabled = !runs.some((r) => r.state === 'paused');
    stopBtn.disabled = !runs.some((r) => r.state !== 'stopping');
    raceBtn.disabled = !lab.presets.length || runs.length > 0 || !settingsOk;
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
        `Trains as the ${SLOT_TITLE[slotFor(p)]} · full recipe: ${r.epochs} epoch${r.epochs === 1 ? '' : 's'}, batch ${r.batch}, ${r.optimizer} ${r.lr}${r.augment ? ', augmentation' : ''}`,
      );
      if (userChange && r.epochs === 1) {
        // A preset made for a one-epoch run in the page (fast: 99% in under 30 s)
        // trains with its own recipe.
        useRecipe();
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
    recipeBtn.hidden = !p;
    saveForm();
    renderButtons();
  }

  function autoAugment() {
    if (augmentTouched || settings.refused.augment) return;
    const p = lab.preset(model.value);
    augment.checked = !!(p?.recipe.augment && Number(epochs.value) >= 5);
  }

  function useRecipe() {
    const p = lab.preset(model.value);
    if (!p) return;
    const r = p.recipe;
    for (const key of ['epochs', 'batch', 'lr', 'optimizer', 'schedule', 'augment']) setField(key, r[key]);
    augmentTouched = true;
    saveForm();
    renderButtons();
  }

  /** Sets a field from the page (a recipe, the defaults): what the link asked for there no longer counts. */
  function setField(key, value) {
    settings.forget(key);
    if (controls[key].type === 'checkbox') controls[key].checked = value;
    else controls[key].value = String(value);
  }

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
          ? `✓ Valid · ${int(r.params)} parameters · trains as the ${SLOT_TITLE[slotFor(r)]} · about ${bytes(r.bytes)} to train at batch ${r.batch}`
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
  function readForm() {
    const values = {};
    const errors = {};
    for (const [key, control] of Object.entries(controls)) {
      if (control.disabled) continue; // no value yet: it waits for the engine's default
      const r = checkSetting(key, control.type === 'checkbox' ? (control.checked ? '1' : '0') : control.value);
      if (settings.refused[key]) errors[key] = settings.refused[key].message;
      else if (r.error) errors[key] = r.error;
      else values[key] = r.value;
    }
    if (settings.refused.model) errors.model = settings.refused.model.message;
    return {values, errors};
  }

  /** Marks each field invalid (aria-invalid, its message beside it) or clears it; says what Train runs. */
  function renderChecks(errors) {
    const mark = (control, note, message, refused) => {
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
      else if (control !== spec) control.removeAttribute('aria-describedby');
    };
    mark(model, notes.model, errors.model, settings.refused.model);
    for (const key of Object.keys(controls)) mark(controls[key], notes[key], errors[key], settings.refused[key]);
    const specBad = model.value === 'custom' && !specValid && !specPending && specCheck.textContent !== '';
    if (specBad) spec.setAttribute('aria-invalid', 'true');
    else spec.removeAttribute('aria-invalid');
    const bad = Object.keys(errors).length + (specBad ? 1 : 0);
    summary.classList.toggle('error', bad > 0);
    const text = bad ? `Fix the ${bad === 1 ? 'field' : `${bad} fields`} marked in red to train.` : runText();
    if (summary.textContent !== text) summary.textContent = text;
  }

  /** "Train runs mlp (535,818 parameters) as the MLP: 2 epochs of 60,000 digits in batches of 64, ..." */
  function runText() {
    if (model.value === 'custom' && specPending) return 'Checking the layer spec…';
    const target = targetSlot();
    if (!target) return '';
    const p = lab.preset(model.value);
    const v = readForm().values;
    return (
      `Train runs ${p ? p.name : 'your spec'} (${int(p ? p.params : specInfo.params)} parameters) as the ${SLOT_TITLE[target]}: ` +
      `${v.epochs} epoch${v.epochs === 1 ? '' : 's'} of ${int(v.limit || SETTINGS.limit.max)} digits in batches of ${v.batch}, ` +
      `${OPTIMIZERS[v.optimizer]} at ${v.lr} with a ${SCHEDULES[v.schedule].toLowerCase()} schedule, ` +
      `${v.augment ? 'with augmentation' : 'no augmentation'}, seed ${v.seed}.`
    );
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

  async function onTrain() {
    const cfg = checkedConfig();
    if (!cfg) return;
    const custom = model.value === 'custom';
    const target = targetSlot();
    if (!target) return;
    const name = custom ? specInfo.spec : model.value;
    active = target;
    saveForm();
    try {
      await lab.train(target, {model: name, title: custom ? 'custom' : model.value, config: cfg});
    } catch (e) {
      showError(errorText(e));
    }
    renderAll();
  }

  async function onRace() {
    const cfg = checkedConfig();
    if (!cfg) return;
    active = 'cnn';
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
  renderAll();
}
