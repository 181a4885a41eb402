// Seconds to accuracy in the page: trains the `fast` preset (or any model) in
// the built page (web/dist, served as a plain static host, so the single-thread
// engine in one worker) in headless Chromium, and measures the wall clock from
// the click on Train to the test accuracy shown after the last epoch. That
// includes fetching and inflating the MNIST files, creating the model, training
// and evaluating the 10,000 test digits; the page is loaded (and its pretrained
// models ready) before the clock starts. The speed preset's goal: >= 99.0% in <= 30 s.
//
//   node bench/fast.mjs [--model fast] [--runs 1] [--json]
//                       [--spec SPEC] [--epochs N] [--batch B] [--lr X] [--schedule S]
// --model PRESET trains with the preset's own recipe ("Use the full recipe");
// --spec trains a layer spec as a custom model with the form's values given here
// (defaults: 1 epoch, batch 64, lr 0.003, onecycle). Each run is a fresh page.
// Prints one line per run, or with --json one JSON object per run:
// {model, spec, epochs, batch, lr, schedule, seconds, started (s to the first speed shown: download and
// set-up), train_time (the page's own training time, as shown), accuracy (%), samples_per_second, engine}.
// Needs web/dist (npm run build).
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {withServedChromium} from './served.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One run in a fresh page of `url` -> {seconds, accuracy (0..100), samples_per_second, engine, ...}. */
async function trainOnce(context, url, {model, spec, epochs, batch, lr, schedule}) {
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
      })
    : new URLSearchParams({model});
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${url}?${q}`);
    // Both shipped models loaded: the page is ready and idle.
    await page.locator('[data-model="mlp"][data-digit]').waitFor({timeout: 60000});
    await page.locator('#train').scrollIntoViewIfNeeded();
    const train = page.getByRole('button', {name: 'Train', exact: true});
    if (custom) {
      await page.locator('#train .spec-check.ok').waitFor({timeout: 20000});
    } else {
      // Picking a one-epoch preset such as fast fills the form with its recipe;
      // "Use the full recipe" does the same for any other preset.
      await page.getByLabel('Model', {exact: true}).selectOption(model);
      await page.getByRole('button', {name: 'Use the full recipe'}).click();
    }
    await page.waitForFunction(() => !document.querySelector('#train button.btn-primary').disabled, null, {
      timeout: 20000,
    });
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
    const t0 = Date.now();
    await train.click();
    // The first training speed shown: the digits are in and the model trains.
    await page.waitForFunction(
      () => /^[\d,]+$/.test(document.querySelector('[data-metric="samples-per-second"]').textContent),
      null,
      {timeout: 600000, polling: 50},
    );
    const started = (Date.now() - t0) / 1000;
    // The last epoch's test accuracy: the epoch table has one row per epoch, its
    // last cell the training time; the metric shows the latest epoch's accuracy.
    await page.waitForFunction(
      (n) =>
        document.querySelectorAll('#train .epochs tbody tr').length >= n &&
        /%$/.test(document.querySelector('[data-metric="test-accuracy"]').textContent),
      form.epochs,
      {timeout: 600000, polling: 50},
    );
    const seconds = (Date.now() - t0) / 1000;
    const trainTime = await page.locator('#train .epochs tbody tr:last-child td:last-child').textContent();
    const accuracy = parseFloat(await page.locator('[data-metric="test-accuracy"]').textContent());
    const speed = Number((await page.locator('[data-metric="samples-per-second"]').textContent()).replace(/,/g, ''));
    const engine = (await page.locator('#train [data-engine]').textContent()).replace(/^Engine: /, '');
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    return {
      model: custom ? 'custom' : model,
      spec: spec || undefined,
      ...form,
      seconds,
      started,
      train_time: trainTime,
      accuracy,
      samples_per_second: speed,
      engine,
    };
  } finally {
    await page.close();
  }
}

/** {model, spec, epochs, batch, lr, schedule, runs} -> [result of each run]. */
export async function measureFast({
  model = 'fast',
  spec = '',
  epochs = 1,
  batch = 64,
  lr = 0.003,
  schedule = 'onecycle',
  runs = 1,
  log = () => {},
} = {}) {
  const dist = path.join(root, 'web/dist');
  if (!fs.existsSync(path.join(dist, 'index.html'))) throw new Error('web/dist is missing: npm run build');
  const out = [];
  await withServedChromium({dir: dist, launch: {viewport: {width: 1280, height: 900}}}, async ({url, context}) => {
    for (let i = 0; i < runs; i++) {
      const r = await trainOnce(context, url, {model, spec, epochs, batch, lr, schedule});
      out.push(r);
      log(r);
    }
  });
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const opt = (name, def) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : def);
  const json = args.includes('--json');
  measureFast({
    model: opt('model', 'fast'),
    spec: opt('spec', ''),
    epochs: Number(opt('epochs', 1)),
    batch: Number(opt('batch', 64)),
    lr: Number(opt('lr', 0.003)),
    schedule: opt('schedule', 'onecycle'),
    runs: Number(opt('runs', 1)),
    log: (r) =>
      console.log(
        json
          ? JSON.stringify(r)
          : `${r.model === 'custom' ? r.spec : r.model}: ${r.accuracy.toFixed(2)}% after ${r.seconds.toFixed(1)} s ` +
              `(${r.epochs} epoch${r.epochs > 1 ? 's' : ''}, batch ${r.batch}, lr ${r.lr}, ${r.schedule}; ` +
              `${r.samples_per_second} samples/s; ${r.engine}; first step after ${r.started.toFixed(1)} s, ` +
              `training ${r.train_time})`,
      ),
  }).catch((e) => {
    console.error(`bench/fast: ${e.message}`);
    process.exit(1);
  });
}
