// Time to the article's accuracy: for every system whose article gives a training
// time, trains its preset (or the faster recipe scripts/systems.mjs names for it) until
// it first reaches the article's accuracy, and records how long training took, beside
// the article's time. Two places, both on one thread:
// - native: `mnist-lab train --until ACC`, the full test set evaluated every
//   --eval-every samples (the evaluations not timed);
// - page: the built page (web/dist) served as a plain static host in headless Chromium
//   (one worker, the single-thread engine), the same recipe set through the Train
//   form's URL with its "Test every" (?eval_every=, the same --eval-every) and "Stop at
//   accuracy" (?until=); the time is the page's own training time at the first test at
//   or above the accuracy, read from its table of tests.
// Writes web/public/results/time-to-accuracy.json and rewrites RESULTS.md (its
// "Time to the article's accuracy" section). Slow: minutes per row on a quiet machine.
// Usage: node scripts/time-to-accuracy.mjs [--only id,id] [--where native,page] [--seed S] [--eval-every N]
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';

import {engineShown, openTrainView, secondsOf, trainReady, withServedChromium} from '../bench/served.mjs';
import {ARTICLES, resultsMarkdown} from './results-md.mjs';
import {SYSTEMS} from './systems.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'build/native/mnist-lab');
const dist = path.join(root, 'web/dist');
const out = path.join(root, 'web/public/results/time-to-accuracy.json');
const {values: opts} = parseArgs({
  options: {
    only: {type: 'string'},
    where: {type: 'string', default: 'native,page'},
    seed: {type: 'string', default: '1'},
    'eval-every': {type: 'string', default: '5000'},
  },
});
const only = opts.only ? opts.only.split(',') : null;
const where = new Set(opts.where.split(','));
for (const w of where) {
  if (w !== 'native' && w !== 'page') {
    console.error(`time-to-accuracy: --where takes native, page or both (not '${w}')`);
    process.exit(2);
  }
}
if (!fs.existsSync(cli)) {
  console.error('time-to-accuracy: build/native/mnist-lab is missing (npm run build)');
  process.exit(2);
}
if (where.has('page') && !fs.existsSync(path.join(dist, 'index.html'))) {
  console.error('time-to-accuracy: web/dist is missing (npm run build)');
  process.exit(2);
}

/** The arguments over the preset's recipe: the system's faster recipe, if it names one, else its own. */
const argsOf = (system) => system.quickRecipe || system.args || [];
/** What it trains: the preset, or the spec of the same layers the faster recipe names (other dropout rates). */
const modelOf = (system) => (system.quickRecipe && system.quickSpec) || system.model;

/** The recipe a system trains with: its preset's, with the system's own arguments over it. */
function recipeOf(system, presets) {
  const p = presets.find((x) => x.name === system.model);
  const r = {
    epochs: p.epochs,
    batch: p.batch,
    lr: p.lr,
    optimizer: p.optimizer,
    schedule: p.schedule,
    augment: p.augment,
    label_smoothing: p.label_smoothing,
    test_shifts: p.test_shifts,
    limit: p.limit ?? 0,
  };
  if (modelOf(system) !== system.model) {
    r.spec = modelOf(system);
    r.spec_note = system.quickSpecNote;
  }
  const args = argsOf(system);
  for (let i = 0; i < args.length; i++) {
    const name = args[i].replace(/^--/, '');
    if (name === 'augment' || name === 'no-augment') r.augment = name === 'augment';
    // The page's settings are the engine's names: --label-smoothing is ?label_smoothing=.
    else r[name.replaceAll('-', '_')] = name === 'optimizer' || name === 'schedule' ? args[++i] : Number(args[++i]);
  }
  return r;
}

/** The native run: mnist-lab train --until on one thread -> the row's native fields. */
function runNative(system) {
  const args = ['train', '--model', modelOf(system), ...argsOf(system), '--seed', opts.seed, '--threads', '1'];
  args.push('--until', String(system.article.acc), '--eval-every', opts['eval-every'], '--json');
  console.log(`time-to-accuracy: mnist-lab ${args.join(' ')}`);
  const lines = execFileSync(cli, args, {cwd: root, encoding: 'utf8', maxBuffer: 1 << 26})
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const last = lines.at(-1);
  return {
    command: `mnist-lab ${args.join(' ')}`,
    reached: last.reached,
    test_accuracy: 100 * last.test_accuracy,
    train_seconds: last.total_train_seconds,
    samples: last.samples,
    met: last.reached && last.total_train_seconds <= system.article.seconds,
  };
}

/** The page's run: the recipe through the Train form's URL, which stops it at the first test at or above the accuracy. */
async function runPage(context, url, system, recipe) {
  const {spec, spec_note: _, ...settings} = recipe;
  const q = new URLSearchParams({
    ...Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, k === 'augment' ? (v ? '1' : '0') : String(v)])),
    // A spec of the preset's layers is the form's "custom (layer spec)".
    ...(spec ? {model: 'custom', spec} : {model: system.model}),
    seed: opts.seed,
    eval_every: opts['eval-every'],
    until: String(system.article.acc),
  });
  console.log(`time-to-accuracy: page ?${q}`);
  const {page, errors} = await openTrainView(context, url, q);
  try {
    await trainReady(page);
    await page.getByRole('button', {name: 'Train', exact: true}).click();
    // Once the run has ended, each test's row: the epochs done (0.84 within one), its test
    // accuracy and the training time so far.
    const handle = await page.waitForFunction(
      ({acc}) => {
        if (document.querySelector('#train .lane-cnn, #train .lane-mlp')?.dataset.state !== 'done') return null;
        const rows = [...document.querySelectorAll('#train .epochs tbody tr')].map((tr) => {
          const td = [...tr.querySelectorAll('td')].map((c) => c.textContent.trim());
          return {epoch: Number(td[1]), accuracy: parseFloat(td[5]), time: td[6]};
        });
        const hit = rows.find((r) => r.accuracy >= acc);
        return hit ? {reached: true, ...hit} : {reached: false, ...rows.at(-1)};
      },
      {acc: system.article.acc},
      {timeout: 3600000, polling: 100},
    );
    const r = await handle.jsonValue();
    const stop = page.getByRole('button', {name: 'Stop', exact: true});
    if (await stop.isEnabled()) await stop.click();
    const engine = await engineShown(page);
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    const trained = secondsOf(r.time);
    return {
      reached: r.reached,
      test_accuracy: r.accuracy,
      train_seconds: trained,
      epochs: r.epoch,
      eval_every: Number(opts['eval-every']),
      engine,
      met: r.reached && trained <= system.article.seconds,
    };
  } finally {
    await page.close();
  }
}

const presets = execFileSync(cli, ['presets', '--json'], {encoding: 'utf8'})
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
// Rows kept from an earlier run; this run replaces the parts it measures.
const previous = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')).rows : [];
const todo = SYSTEMS.filter((s) => s.article.seconds);
const rows = todo.map((system) => ({
  ...previous.find((r) => r.id === system.id),
  id: system.id,
  system: system.system,
  article: {...ARTICLES[system.source], ...system.article},
  recipe: {model: system.model, ...recipeOf(system, presets)},
}));
const measured = (system) => !only || only.includes(system.id);

if (where.has('native')) {
  for (const [i, system] of todo.entries()) {
    if (!measured(system)) continue;
    Object.assign(rows[i], runNative(system));
    const r = rows[i];
    console.log(
      `time-to-accuracy: ${system.id} natively ${r.reached ? 'reached' : 'did not reach'} ${system.article.acc}% ` +
        `(${r.test_accuracy.toFixed(2)}%) after ${r.train_seconds.toFixed(1)} s of training; article ${system.article.seconds} s`,
    );
  }
}
if (where.has('page')) {
  await withServedChromium({dir: dist, launch: {viewport: {width: 1280, height: 900}}}, async ({url, context}) => {
    for (const [i, system] of todo.entries()) {
      if (!measured(system)) continue;
      const p = await runPage(context, url, system, rows[i].recipe);
      rows[i].page = p;
      console.log(
        `time-to-accuracy: ${system.id} in the page ${p.reached ? 'reached' : 'did not reach'} ${system.article.acc}% ` +
          `(${p.test_accuracy.toFixed(2)}%) after ${p.train_seconds.toFixed(1)} s of training (epoch ${p.epochs}; ${p.engine})`,
      );
    }
  });
}

const result = {
  date: new Date().toISOString(),
  machine: {cpu: os.cpus()[0].model, cores: os.cpus().length, load_average: os.loadavg()},
  seed: Number(opts.seed),
  eval_every: Number(opts['eval-every']),
  rows,
};
fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
const results = JSON.parse(fs.readFileSync(path.join(root, 'web/public/results/results.json'), 'utf8'));
fs.writeFileSync(path.join(root, 'RESULTS.md'), resultsMarkdown(results, result));
console.log(`time-to-accuracy: wrote ${path.relative(root, out)} and RESULTS.md`);
