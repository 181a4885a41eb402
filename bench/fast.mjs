// Seconds to accuracy in the page: trains a preset (or any model) in the built
// page (web/dist, served as a plain static host, so the single-thread engine in one
// worker) in headless Chromium, one fresh page per seed (?seed=N), and measures, by
// the page's own clock, the time from the click event on Train to the DOM showing
// the test accuracy after the last epoch. That includes fetching and inflating the
// MNIST files, creating the model, training and evaluating the 10,000 test digits;
// the page is loaded (and its pretrained models ready) before the clock starts.
//
//   node bench/fast.mjs [--model fast] [--seeds 10] [--json]
//                       [--spec SPEC] [--epochs N] [--batch B] [--lr X] [--schedule S]
// --model PRESET trains with the preset's own recipe ("Use the full recipe");
// --spec trains a layer spec as a custom model with the form's values given here
// (defaults: 1 epoch, batch 64, lr 0.003, onecycle). --seeds N runs seeds 1..N.
// Prints one line per seed and a summary, or with --json one JSON object per seed:
// {model, spec, seed, epochs, batch, lr, schedule, seconds, started (s to the first
// speed shown: download and set-up), train_seconds (the page's own training time, as
// shown), evaluation (the rest: the test set's evaluation and showing it), accuracy
// (%), samples_per_second, engine}, then {summary: summarise(runs)}.
// Needs web/dist (npm run build).
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {engineShown, openTrainView, secondsOf, trainReady, withServedChromium} from './served.mjs';
import {readArgs} from './args.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One run in a fresh page of `url` -> {seconds, accuracy (0..100), samples_per_second, engine, ...}. */
async function trainOnce(context, url, {model, spec, seed, epochs, batch, lr, schedule}) {
  const custom = !!spec;
  const q = custom
    ? new URLSearchParams({
        model: 'custom',
        spec,
        epochs,
        batch,
        lr,
        schedule,
        optimizer: 'adam',
        augment: '0',
        subset: 60000,
        seed,
      })
    : new URLSearchParams({model, seed});
  // Both shipped models loaded: the page is ready and idle.
  const {page, errors} = await openTrainView(context, url, q, {timeout: 60000});
  try {
    const train = page.getByRole('button', {name: 'Train', exact: true});
    if (custom) {
      await page.locator('#train .spec-check.ok').waitFor({timeout: 20000});
    } else {
      // Picking a one-epoch preset such as fast fills the form with its recipe;
      // "Use the full recipe" does the same for any other preset.
      await page.getByLabel('Model', {exact: true}).selectOption(model);
      await page.getByRole('button', {name: 'Use the full recipe'}).click();
    }
    await trainReady(page, 20000);
    const form = await page.evaluate(() => {
      const value = (label) => {
        const l = [...document.querySelectorAll('#train label')].find((x) => x.textContent.trim() === label);
        return document.getElementById(l.htmlFor).value;
      };
      return {
        epochs: Number(value('Epochs')),
        batch: Number(value('Batch size')),
        lr: Number(value('Learning rate')),
        schedule: value('Schedule'),
      };
    });
    // The page times itself: from the click event on Train to the DOM showing the first speed and
    // the last epoch's accuracy (the harness's own click and polling would add ~0.1 s).
    await page.evaluate((epochs) => {
      const times = {pressed: 0, started: 0, shown: 0};
      /** @type {any} */ (window).fastTimes = times;
      const button = document.querySelector('#train button.btn-primary');
      button.addEventListener('click', () => (times.pressed ||= performance.now()), {capture: true});
      const speed = document.querySelector('[data-metric="samples-per-second"]');
      const accuracy = document.querySelector('[data-metric="test-accuracy"]');
      const observer = new MutationObserver(() => {
        if (!times.pressed) return;
        const now = performance.now();
        if (!times.started && /^[\d,]+$/.test(speed.textContent)) times.started = now;
        const rows = document.querySelectorAll('#train .epochs tbody tr').length;
        if (!times.shown && rows >= epochs && /%$/.test(accuracy.textContent)) {
          times.shown = now;
          observer.disconnect();
        }
      });
      observer.observe(document.body, {subtree: true, childList: true, characterData: true});
    }, form.epochs);
    await train.click();
    // The first training speed shown: the digits are in and the model trains.
    await page.waitForFunction(
      () => /^[\d,]+$/.test(document.querySelector('[data-metric="samples-per-second"]').textContent),
      null,
      {timeout: 600000, polling: 50},
    );
    // The last epoch's test accuracy: the epoch table has one row per epoch, its
    // last cell the training time; the metric shows the latest epoch's accuracy.
    await page.waitForFunction(
      (n) =>
        document.querySelectorAll('#train .epochs tbody tr').length >= n &&
        /%$/.test(document.querySelector('[data-metric="test-accuracy"]').textContent),
      form.epochs,
      {timeout: 600000, polling: 50},
    );
    const times = await page.evaluate(() => /** @type {any} */ (window).fastTimes);
    if (!times.pressed || !times.started || !times.shown)
      throw new Error(`the page's times are missing: ${JSON.stringify(times)}`);
    const seconds = (times.shown - times.pressed) / 1000;
    const started = (times.started - times.pressed) / 1000;
    const trainTime = secondsOf(await page.locator('#train .epochs tbody tr:last-child td:last-child').textContent());
    const accuracy = parseFloat(await page.locator('[data-metric="test-accuracy"]').textContent());
    const speed = Number((await page.locator('[data-metric="samples-per-second"]').textContent()).replace(/,/g, ''));
    const engine = await engineShown(page);
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    return {
      model: custom ? 'custom' : model,
      spec: spec || undefined,
      seed,
      ...form,
      seconds,
      started,
      train_seconds: trainTime,
      evaluation: Math.max(0, seconds - started - trainTime),
      accuracy,
      samples_per_second: speed,
      engine,
    };
  } finally {
    await page.close();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The runs of one model over several seeds -> their accuracy (mean, min, max) and medians of every time. */
export function summarise(runs) {
  const acc = runs.map((r) => r.accuracy);
  const med = (key) => median(runs.map((r) => r[key]));
  return {
    model: runs[0].model,
    seeds: runs.map((r) => r.seed),
    mean_accuracy: mean(acc),
    min_accuracy: Math.min(...acc),
    max_accuracy: Math.max(...acc),
    median_seconds: med('seconds'),
    median_started: med('started'),
    median_train_seconds: med('train_seconds'),
    median_evaluation: med('evaluation'),
    samples_per_second: med('samples_per_second'),
    engine: runs[0].engine,
    epochs: runs[0].epochs,
    batch: runs[0].batch,
  };
}

/** {model, spec, epochs, batch, lr, schedule, seeds (runs seeds 1..seeds)} -> [result of each seed's run] */
export async function measureFast({
  model = 'fast',
  spec = '',
  epochs = 1,
  batch = 64,
  lr = 0.003,
  schedule = 'onecycle',
  seeds = 1,
  log = () => {},
} = {}) {
  if (!(Number.isInteger(seeds) && seeds >= 1))
    throw new Error(`seeds must be a whole number from 1 (runs seeds 1..seeds), got ${seeds}`);
  const dist = path.join(root, 'web/dist');
  if (!fs.existsSync(path.join(dist, 'index.html'))) throw new Error('web/dist is missing: npm run build');
  const out = [];
  await withServedChromium({dir: dist, launch: {viewport: {width: 1280, height: 900}}}, async ({url, context}) => {
    for (let seed = 1; seed <= seeds; seed++) {
      const r = await trainOnce(context, url, {model, spec, seed, epochs, batch, lr, schedule});
      out.push(r);
      log(r);
    }
  });
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = readArgs('fast', ['seeds', 'model', 'spec', 'epochs', 'batch', 'lr', 'schedule'], ['json']);
  const json = args.flag('json');
  const seeds = args.text('seeds', '1');
  if (!/^[1-9]\d*$/.test(seeds)) {
    console.error(`bench/fast: --seeds takes a count N and runs seeds 1..N (not '${seeds}')`);
    process.exit(2);
  }
  measureFast({
    model: args.text('model', 'fast'),
    spec: args.text('spec', ''),
    epochs: args.number('epochs', 1, {min: 1, max: 1000, whole: true}),
    batch: args.number('batch', 64, {min: 1, max: 4096, whole: true}),
    lr: args.number('lr', 0.003, {min: 1e-9, max: 10}),
    schedule: args.text('schedule', 'onecycle'),
    seeds: Number(seeds),
    log: (r) =>
      console.log(
        json
          ? JSON.stringify(r)
          : `${r.model === 'custom' ? r.spec : r.model} seed ${r.seed}: ${r.accuracy.toFixed(2)}% after ${r.seconds.toFixed(2)} s ` +
              `(${r.epochs} epoch${r.epochs > 1 ? 's' : ''}, batch ${r.batch}, lr ${r.lr}, ${r.schedule}; ` +
              `${r.samples_per_second} samples/s; ${r.engine}; first step after ${r.started.toFixed(2)} s, ` +
              `training ${r.train_seconds.toFixed(1)} s, evaluation and the rest ${r.evaluation.toFixed(2)} s)`,
      ),
  })
    .then((runs) => {
      const s = summarise(runs);
      console.log(
        json
          ? JSON.stringify({summary: s})
          : `seeds ${s.seeds[0]}-${s.seeds.at(-1)}: mean ${s.mean_accuracy.toFixed(3)}%, min ${s.min_accuracy.toFixed(2)}%, ` +
              `median ${s.median_seconds.toFixed(2)} s (first step ${s.median_started.toFixed(2)} s, training ` +
              `${s.median_train_seconds.toFixed(2)} s, evaluation and the rest ${s.median_evaluation.toFixed(2)} s)`,
      );
    })
    .catch((e) => {
      console.error(`bench/fast: ${e.message}`);
      process.exit(1);
    });
}
