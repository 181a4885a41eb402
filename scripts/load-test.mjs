// Load test of the built page (not part of npm test: it takes minutes): opens web/dist in
// headless Chromium, races the cnn and the mlp presets in their two workers at the same
// time (the mlp, much faster, starts another run whenever it finishes, so both workers stay
// busy until the cnn's last epoch), and prints after every epoch each worker's wasm heap
// (its module memory, from the epoch notice's heapBytes) and the page's JS heap (CDP
// Runtime.getHeapUsage), so a leak shows as a heap that keeps growing from epoch to epoch.
//
//   node scripts/load-test.mjs            # 10 epochs on all 60,000 digits (hours for the cnn here)
//   LOAD_LIMIT=6000 node scripts/load-test.mjs
//
// Env: LOAD_EPOCHS (10), LOAD_LIMIT (training digits per epoch; 60000 = all),
// LOAD_OUT (the table is also written there; default build/load-test.txt),
// LOAD_TIMEOUT_S (give up after this long; 7200). Needs web/dist (npm run build).
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {launchChromium} from './chromium.mjs';
import {serve} from '../tests/e2e/support/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EPOCHS = Number(process.env.LOAD_EPOCHS || 10);
const LIMIT = Number(process.env.LOAD_LIMIT || 60000);
const OUT = path.resolve(root, process.env.LOAD_OUT || 'build/load-test.txt');
const TIMEOUT_S = Number(process.env.LOAD_TIMEOUT_S || 7200);
if (!(Number.isInteger(EPOCHS) && EPOCHS >= 1 && EPOCHS <= 100)) throw new Error('LOAD_EPOCHS must be 1..100');
if (!(Number.isInteger(LIMIT) && LIMIT >= 64 && LIMIT <= 60000)) throw new Error('LOAD_LIMIT must be 64..60000');

const MB = (n) => (n / 2 ** 20).toFixed(1);
const lines = [];
const say = (line) => {
  lines.push(line);
  console.log(line);
};

const server = await serve();
const browser = await launchChromium({viewport: {width: 1280, height: 900}});
try {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

  // Every message a model worker sends to the page passes through here (the page itself is unchanged).
  const events = [];
  let wake = () => {};
  await page.exposeFunction('__loadTestReport', (m) => {
    events.push(m);
    wake();
  });
  await page.addInitScript(() => {
    const Native = window.Worker;
    window.Worker = class extends Native {
      constructor(url, options) {
        super(url, options);
        const worker = options?.name || 'worker';
        let first = true;
        this.addEventListener('message', ({data: m}) => {
          if (m?.type === 'progress' && first) {
            first = false;
            window.__loadTestReport({type: 'start', worker, heapBytes: m.heapBytes});
          } else if (m?.type === 'epoch') {
            window.__loadTestReport({
              type: 'epoch',
              worker,
              epoch: m.epoch,
              epochs: m.epochs,
              elapsed: m.elapsed,
              trainLoss: m.trainLoss,
              testAccuracy: m.evaluation?.accuracy,
              heapBytes: m.heapBytes,
            });
          } else if (m?.type === 'trainDone' || m?.type === 'crashed') {
            first = true;
            window.__loadTestReport({type: m.type, worker, reason: m.reason, message: m.message});
          }
        });
      }
    };
  });
  const cdp = await page.context().newCDPSession(page);
  const jsHeap = () => cdp.send('Runtime.getHeapUsage');

  await page.goto(`${server.url}?epochs=${EPOCHS}&subset=${LIMIT}`);
  await page.locator('[data-model="cnn"][data-digit]').waitFor({timeout: 60000});
  await page.locator('#train').scrollIntoViewIfNeeded();
  const chosen = await page.getByLabel('Training digits', {exact: true}).inputValue();
  if (Number(chosen) !== LIMIT) throw new Error(`the page trains on ${chosen} digits, not ${LIMIT}`);

  const started = Date.now();
  const header =
    `${'worker'.padEnd(6)} ${'epoch'.padStart(5)} ${'wall s'.padStart(7)} ${'train s'.padStart(8)} ` +
    `${'test acc'.padStart(8)} ${'wasm heap MB'.padStart(12)} ${'JS heap used MB'.padStart(15)} ${'JS heap total MB'.padStart(16)}`;
  say(`mnist-lab load test: race cnn vs mlp, ${EPOCHS} epochs of ${LIMIT} digits each, both workers at once`);
  say(`Chromium ${browser.context.browser()?.version() ?? ''} headless, ${new Date().toISOString()}`);
  say(header);
  say('-'.repeat(header.length));
  await page.getByRole('button', {name: 'Race MLP vs CNN'}).click();

  const heaps = {mlp: [], cnn: []};
  const runs = {mlp: 0, cnn: 0};
  const jsUsed = [];
  let cnnDone = false;
  while (!cnnDone) {
    if (!events.length) {
      const left = TIMEOUT_S * 1000 - (Date.now() - started);
      if (left <= 0) throw new Error(`gave up after ${TIMEOUT_S} s`);
      await new Promise((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.min(left, 30000));
      });
      continue;
    }
    const m = events.shift();
    const slot = m.worker.replace('mnist-lab ', '');
    if (m.type === 'crashed') throw new Error(`the ${slot} worker crashed: ${m.message}`);
    if (m.type === 'trainDone') {
      if (m.reason !== 'finished') throw new Error(`the ${slot} run ended: ${m.reason} ${m.message || ''}`);
      if (slot === 'cnn') {
        // The cnn's epochs are the test: end the mlp's extra run (if it is still going) and stop.
        cnnDone = true;
        const stop = page.getByRole('button', {name: 'Stop', exact: true});
        if (await stop.isEnabled()) await stop.click();
        await page.locator('#train .lane-mlp[data-state="done"]').waitFor({timeout: 300000});
      } else {
        // Keep the second worker busy: the mlp trains again with the same settings.
        await page.getByLabel('Model', {exact: true}).selectOption('mlp');
        await page.getByRole('button', {name: 'Train', exact: true}).click();
      }
      continue;
    }
    const heap = await jsHeap();
    jsUsed.push(heap.usedSize);
    const wall = ((Date.now() - started) / 1000).toFixed(0);
    if (m.type === 'start') runs[slot]++;
    const label = runs[slot] > 1 ? `${slot}#${runs[slot]}` : slot;
    if (m.type === 'start') {
      heaps[slot].push(m.heapBytes);
      say(
        `${label.padEnd(6)} ${'0'.padStart(5)} ${wall.padStart(7)} ${'–'.padStart(8)} ${'–'.padStart(8)} ` +
          `${MB(m.heapBytes).padStart(12)} ${MB(heap.usedSize).padStart(15)} ${MB(heap.totalSize).padStart(16)}`,
      );
      continue;
    }
    heaps[slot].push(m.heapBytes);
    say(
      `${label.padEnd(6)} ${String(m.epoch).padStart(5)} ${wall.padStart(7)} ${m.elapsed.toFixed(1).padStart(8)} ` +
        `${`${(m.testAccuracy * 100).toFixed(2)}%`.padStart(8)} ${MB(m.heapBytes).padStart(12)} ` +
        `${MB(heap.usedSize).padStart(15)} ${MB(heap.totalSize).padStart(16)}`,
    );
  }

  say('');
  for (const slot of ['mlp', 'cnn']) {
    // heaps[slot]: the start of the first run, then every epoch end (later runs' starts included).
    const h = heaps[slot];
    const growth = h.length > 2 ? h[h.length - 1] - h[1] : 0;
    say(
      `${slot}: ${runs[slot]} run(s); wasm heap ${MB(h[0])} MB at the start, ${MB(Math.max(...h))} MB at most; ` +
        `${growth === 0 ? 'no growth' : `${MB(growth)} MB growth`} after the first epoch`,
    );
  }
  say(`page JS heap used: ${MB(Math.min(...jsUsed))} to ${MB(Math.max(...jsUsed))} MB over the run`);
  say(
    `total wall time ${((Date.now() - started) / 1000).toFixed(0)} s; page errors: ${errors.length ? errors.join(' | ') : 'none'}`,
  );
  fs.mkdirSync(path.dirname(OUT), {recursive: true});
  fs.writeFileSync(OUT, `${lines.join('\n')}\n`);
  console.log(`\nwritten to ${path.relative(root, OUT)}`);
  await page.close();
} finally {
  await browser.close();
  await server.close();
}
