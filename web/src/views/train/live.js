// The live side of the training dashboard: the headline metrics of the run it follows,
// the engine line, the progress bar, a lane per running slot, the download note, and the
// epoch-by-epoch table. build() makes the elements once; each render function fills its
// part from the runs (model/training.js's) and download progress it is given.
import {shortestFloat} from '../../engine/core.js';
import {SLOTS} from '../../lab.js';
import {h} from '../../ui/dom.js';
import {bytes, duration, fixed, int, pct} from '../../ui/format.js';
import {KIND_TITLE, SLOT_TITLE} from '../words.js';

/** The name of what a run trains (its kind, once the engine has built it), on the slot's chip. */
const netName = (n, run) => KIND_TITLE[run?.kind] ?? SLOT_TITLE[n];

/** A learning rate as the engine reports it (a float32), to three significant digits (0.003, 4.79e-5). */
export const rateText = (lr) => String(Number(shortestFloat(lr).toPrecision(3)));

const metric = (label, attrs = {}) => {
  const v = h('span', {class: 'v', ...attrs}, '—');
  return {el: h('div', {class: 'metric'}, h('span', {class: 'k'}, label), v), v};
};

/** The parts, and `before`/`after`: what goes above the charts and below them, in order. */
export function build() {
  const m = {
    epoch: metric('Epoch'),
    test: metric('Test accuracy', {'data-metric': 'test-accuracy'}),
    testLoss: metric('Test loss'),
    train: metric('Train acc. (epoch mean)'),
    speed: metric('Samples / s', {'data-metric': 'samples-per-second'}),
    eta: metric('Time left'),
  };
  // Which build trains: "WebAssembly SIMD · 2 threads" on a cross-origin isolated page.
  const engineNote = h('p', {class: 'small muted engine-note', 'data-engine': ''});
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
  const epochs = h(
    'details',
    {class: 'epochs'},
    h('summary', {}, 'Test by test'),
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
  );
  const metrics = h('div', {class: 'metrics'}, ...Object.values(m).map((x) => x.el));
  // Which run the six numbers above follow (in a race, a choice between the two).
  const follow = h('div', {class: 'follow small', role: 'group', 'aria-label': 'The numbers follow'});
  return {
    m,
    engineNote,
    barFill,
    progress,
    lanes,
    downloadText,
    downloadNote,
    emptyNote,
    epochTable,
    follow,
    before: [follow, metrics, engineNote, progress, lanes, downloadNote, emptyNote],
    after: [epochs],
  };
}

/** The engine line (views/words.js engineText), hidden while empty. */
export function renderEngine(live, text) {
  live.engineNote.textContent = text ? `Engine: ${text}` : '';
  live.engineNote.hidden = !text;
}

/** The headline metrics and the progress bar for slot `name`'s run (null: left as they are). */
export function renderMetrics(live, name, run) {
  const p = run?.progress;
  if (!run) return;
  const {m, barFill, progress} = live;
  const last = run.epochs?.[run.epochs.length - 1];
  m.epoch.v.textContent = p ? `${p.epoch} / ${p.epochs}` : `0 / ${run.config?.epochs ?? '—'}`;
  m.test.v.textContent = last ? pct(last.testAccuracy) : '—';
  m.testLoss.v.textContent = last ? fixed(last.testLoss, 4) : '—';
  m.train.v.textContent = p && p.batch > 0 ? pct(p.accuracy) : '—';
  m.speed.v.textContent = p && p.samples_per_second > 0 ? int(p.samples_per_second) : '—';
  const done = run.state === 'done';
  m.eta.v.textContent = done ? (run.reason === 'finished' ? 'done' : endedText(run)) : p ? duration(p.eta) : '…';
  const frac = done && run.reason === 'finished' ? 1 : p ? p.step / p.total_steps : 0;
  // A transform, not a width: a width transition repaints the page every frame
  // (with 10 updates a second, that kept the main thread busy through training).
  barFill.style.transform = `scaleX(${frac.toFixed(4)})`;
  progress.setAttribute('aria-valuenow', String(Math.round(frac * 100)));
  progress.classList.toggle('paused', run.state === 'paused');
  progress.classList.add(`tint-${name}`);
  progress.classList.remove(`tint-${name === 'mlp' ? 'cnn' : 'mlp'}`);
}

/**
 * Which run the headline numbers follow (`name`, with runs by slot name): its net named, and when
 * two runs are drawn, a button for each (onPick(slot)).
 */
export function renderFollow(live, name, runs, onPick) {
  const shown = SLOTS.filter((n) => runs[n]);
  if (!name || !runs[name]) {
    live.follow.replaceChildren();
    return;
  }
  const both = shown.length > 1;
  live.follow.replaceChildren(
    h('span', {class: 'muted'}, both ? 'The numbers follow ' : 'The numbers follow the run of the '),
    ...(both
      ? shown.map((n) =>
          h(
            'button',
            {
              type: 'button',
              class: `chip chip-${n} follow-pick`,
              'aria-pressed': String(n === name),
              onclick: () => onPick(n),
            },
            netName(n, runs[n]),
          ),
        )
      : [h('span', {class: `chip chip-${name}`}, netName(name, runs[name]))]),
  );
}

/** A lane per slot with a run (runs by slot name); dl: the download's progress ({loaded, total, done}). */
export function renderLanes(live, runs, dl) {
  live.lanes.replaceChildren(
    ...SLOTS.filter((n) => runs[n]).map((n) => {
      const run = runs[n];
      const p = run.progress;
      const last = run.epochs?.[run.epochs.length - 1];
      // Before its first step a run waits for the MNIST files: its bar then shows the download.
      const waiting = !p && run.state !== 'done';
      const frac =
        run.state === 'done' && run.reason === 'finished'
          ? 1
          : p
            ? p.step / p.total_steps
            : waiting
              ? dl.loaded / dl.total
              : 0;
      const state =
        waiting && !dl.done
          ? `downloading the digits, ${bytes(dl.loaded)} of ${bytes(dl.total)}`
          : {
              preparing: 'loading the digits…',
              running: 'training',
              paused: 'paused',
              stopping: 'stopping…',
              done: endedText(run),
            }[run.state];
      return h(
        'div',
        {class: `lane lane-${n}${waiting ? ' lane-download' : ''}`, dataset: {state: run.state}},
        h('span', {class: `chip chip-${n}`}, netName(n, run)),
        h('span', {class: 'lane-title'}, run.title || ''),
        h(
          'span',
          {class: 'lane-track'},
          h('span', {class: 'lane-fill', style: {width: `${(frac * 100).toFixed(1)}%`}}),
        ),
        h(
          'span',
          {class: 'lane-stats'},
          `${state}${p ? ` · epoch ${p.epoch}/${p.epochs} · step ${int(p.step)} · lr ${rateText(p.lr)} · ${int(p.samples_per_second)}/s` : ''}` +
            `${last ? ` · test ${pct(last.testAccuracy)}` : ''}` +
            `${run.state === 'running' && p ? ` · ${duration(p.eta)} left` : ''}`,
        ),
      );
    }),
  );
}

/** How a run ended, in a word or three: "finished", "reached 99.09%", "stopped". */
const endedText = (run) => (run.reason === 'reached' ? `reached ${run.config.until}%` : run.reason);

/** The epoch-by-epoch table for the runs (by slot name). */
export function renderEpochs(live, runs) {
  const rows = [];
  for (const n of SLOTS) {
    const run = runs[n];
    for (const e of run?.epochs || []) {
      rows.push(
        h(
          'tr',
          {},
          h('td', {}, h('span', {class: `chip chip-${n}`}, netName(n, run))),
          // A test within an epoch (the form's "Test every") at the epochs done so far: 0.84.
          e.within
            ? h('td', {title: `after ${int(e.samples)} training digits`}, fixed(e.epoch, 2))
            : h('td', {}, String(e.epoch)),
          h('td', {}, fixed(e.trainLoss, 4)),
          h('td', {}, pct(e.trainAccuracy)),
          h('td', {}, fixed(e.testLoss, 4)),
          h('td', {}, h('b', {}, pct(e.testAccuracy))),
          h('td', {}, duration(e.elapsed)),
        ),
      );
    }
  }
  live.epochTable.replaceChildren(...rows);
}

/**
 * While a run waits for the MNIST files (waiting), how far the download (dl) is, and that
 * the page stays usable. Returns whether the note appeared or went.
 */
export function renderDownload(live, waiting, dl) {
  const show = waiting && !dl.done;
  if (show) {
    live.downloadText.textContent =
      dl.loaded > 0
        ? `Downloading the MNIST digits: ${bytes(dl.loaded)} of ${bytes(dl.total)}. `
        : `Waiting for the server to send the MNIST digits (${bytes(dl.total)}). `;
    live.downloadText.append(
      h(
        'span',
        {class: 'muted'},
        'Training starts once they are in; meanwhile the drawing pad and the other views keep working.',
      ),
    );
  }
  if (live.downloadNote.hidden !== show) return false;
  live.downloadNote.hidden = !show;
  return true;
}
