// No lost work and no dead page: trained weights survive a reload (IndexedDB), apart
// from the copies of a run still going; a storage that refuses them is told; a crashed
// or silently closed worker is restarted with its last good weights; and the
// reproduced results load lazily into the results view.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {test} from 'node:test';
import {LONG, drawStrokes, openPage} from './support/browser.js';
import {duration} from '../../web/src/ui/format.js';
import {DIGIT_STROKES} from './support/digits.js';
import {useSite} from './support/setup.js';
import {clearStored, putStored, storedWeights, waitForStored} from './support/store.js';
import {holdTraining, modelWorker, releaseTraining, sendToWorker} from './support/worker.js';

const site = useSite();

async function drawAndRead(page, digit) {
  await page.getByRole('button', {name: 'Clear', exact: true}).click();
  await drawStrokes(page, page.locator('canvas[aria-label="Drawing pad"]'), DIGIT_STROKES[digit]);
  await page.locator('[data-model="mlp"][data-digit]').waitFor(LONG);
  await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
}

/** Opens the train view on the MLP with a number of epochs and training digits. */
async function setupMlp(page, {epochs, digits}) {
  await page.locator('[data-model="mlp"][data-digit]').waitFor(LONG);
  await page.locator('#train').scrollIntoViewIfNeeded();
  await page.getByLabel('Model', {exact: true}).selectOption('mlp');
  await page.getByLabel('Epochs', {exact: true}).fill(String(epochs));
  await page.getByLabel('Training digits', {exact: true}).selectOption(String(digits));
}

const trainBtn = (page) => page.getByRole('button', {name: 'Train', exact: true});

/**
 * Starts an MLP run that holds after `steps` batches (a test hook), pauses it there and waits
 * for the copy a pause stores -> {worker, copy: the stored record}.
 */
async function pausedMlpRun(page, steps, {epochs, digits}) {
  await setupMlp(page, {epochs, digits});
  const worker = await modelWorker(page, 'mlp');
  const held = holdTraining(worker, steps);
  await trainBtn(page).click();
  await held;
  await page.getByRole('button', {name: 'Pause', exact: true}).click();
  const copy = await waitForStored(page, 'mlp:run', (r) => r?.metrics.step === steps, 20000);
  return {worker, copy};
}

/** A fresh page with nothing stored whose MLP has trained one epoch to the end -> {page, finished: the stored record}. */
async function pageWithFinishedMlp(digits) {
  const page = await openPage(site.context, site.url);
  await clearStored(page);
  await setupMlp(page, {epochs: 1, digits});
  await trainBtn(page).click();
  await page.locator('#train .lane-mlp', {hasText: 'finished'}).waitFor({timeout: 90000});
  // The copy is written after the run.
  const finished = await waitForStored(page, 'mlp', (r) => r?.metrics.ended === 'finished', 20000);
  return {page, finished};
}

test('a trained model is stored and offered back after a reload', async () => {
  const {page, finished: stored} = await pageWithFinishedMlp(5000);
  await page.reload();
  const offer = page.locator('.restore-offer[data-slot="mlp"]');
  await offer.waitFor(LONG);
  const score = `${(stored.metrics.testAccuracy * 100).toFixed(2)}% on the test digits`;
  assert.match(
    await offer.textContent(),
    new RegExp(`^Restore your trained MLP from .+ \\(finished 1-epoch run, ${score}\\)\\?Restore`),
  );
  assert.equal(await offer.getAttribute('data-kind'), 'ended');
  await offer.getByRole('button', {name: 'Restore', exact: true}).click();
  await offer.waitFor({state: 'detached', ...LONG});
  await drawAndRead(page, 3);
  assert.match(await page.locator('[data-model="mlp"] .pred-meta').textContent(), /restored/);
  const probs = await page.locator('[data-model="mlp"]').textContent();
  assert.match(probs, /\d/);
  // Dismiss forgets it: no offer on the next load.
  await page.reload();
  const again = page.locator('.restore-offer[data-slot="mlp"]');
  await again.waitFor(LONG);
  await again.getByRole('button', {name: 'Dismiss', exact: true}).click();
  // The copy is deleted from IndexedDB (reloading before that lands would bring the offer back).
  await waitForStored(page, 'mlp', (r) => r === null, 20000);
  await page.reload();
  await page.locator('[data-model="mlp"][data-digit]').waitFor(LONG);
  assert.equal(await storedWeights(page, 'mlp'), null);
  assert.equal(await page.locator('.restore-offer').count(), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a crashed worker is restarted with its last good weights and the page keeps predicting', async () => {
  const page = await openPage(site.context, site.url);
  await drawAndRead(page, 7);
  // Make the CNN's engine fail as if it had run out of memory (the worker's test hook).
  let crashed = false;
  for (const w of page.workers()) {
    if ((await w.evaluate(() => self.name)) === 'mnist-lab cnn') {
      await w.evaluate(() => self.onmessage({data: {type: '__testCrash', id: 999999}}));
      crashed = true;
    }
  }
  assert.ok(crashed, 'found the CNN worker');
  const notice = page.locator('.mlab-notices .notice-error', {hasText: 'The CNN engine crashed'});
  await notice.waitFor(LONG);
  assert.match(await notice.textContent(), /memory access out of bounds.*restarts with its last good weights/);
  await page.locator('.mlab-notices', {hasText: 'The CNN is running again.'}).waitFor(LONG);
  await drawAndRead(page, 4);
  const digit = await page.locator('[data-model="cnn"]').getAttribute('data-digit');
  assert.match(digit, /^\d$/);
  assert.match(await page.locator('[data-model="cnn"] .pred-meta').textContent(), /pretrained/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a finished model and a later run's mid-run copy are kept apart and both offered after a reload", async () => {
  const {page, finished} = await pageWithFinishedMlp(1000);
  // A second run, paused at a known step (a pause stores the run as it stands).
  const {copy} = await pausedMlpRun(page, 10, {epochs: 2, digits: 5000});
  assert.equal((await storedWeights(page, 'mlp')).sha256, finished.sha256, 'the finished model is still stored');
  page.once('dialog', (d) => d.accept());
  await page.reload();

  const offers = page.locator('.restore-offer[data-slot="mlp"]');
  await offers.nth(1).waitFor(LONG);
  const score = `${(finished.metrics.testAccuracy * 100).toFixed(2)}% on the test digits`;
  const ended = page.locator('.restore-offer[data-slot="mlp"][data-kind="ended"]');
  const run = page.locator('.restore-offer[data-slot="mlp"][data-kind="run"]');
  assert.match(
    await ended.textContent(),
    new RegExp(`^Restore your trained MLP from .+ \\(finished 1-epoch run, ${score}\\)\\?`),
  );
  const share = Math.round((100 * 10) / copy.metrics.totalSteps);
  assert.match(
    await run.textContent(),
    new RegExp(
      `^Restore your unfinished MLP from .+ \\(a copy taken ${share}% of the way through a 2-epoch run, in epoch 1\\)\\?`,
    ),
  );
  // Either can be restored; the finished one here, byte for byte.
  await ended.getByRole('button', {name: 'Restore', exact: true}).click();
  await ended.waitFor({state: 'detached', ...LONG});
  await drawAndRead(page, 3);
  assert.match(
    await page.locator('[data-model="mlp"] .pred-meta').textContent(),
    /mlp · 535,818 params · trained here, restored/,
  );
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', {name: 'Download MLP weights'}).click(),
  ]);
  const {createHash} = await import('node:crypto');
  assert.equal(
    createHash('sha256')
      .update(fs.readFileSync(await download.path()))
      .digest('hex'),
    finished.sha256,
  );
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a record stored by an earlier version (one per network, mid-run copies marked partial) still loads', async () => {
  const page = await openPage(site.context, site.url);
  await clearStored(page);
  const bytes = [...fs.readFileSync(new URL('../../web/dist/weights/mlp.mlw', import.meta.url))];
  await putStored(page, 'mlp', {
    bytes,
    spec: 'dense(512)-relu-dense(256)-relu-dense(10)',
    title: 'mlp',
    time: Date.now(),
    metrics: {epoch: 2, epochs: 3, testAccuracy: null, partial: true, step: 150, totalSteps: 300},
  });
  await page.reload();
  const offer = page.locator('.restore-offer[data-slot="mlp"]');
  await offer.waitFor(LONG);
  assert.match(
    await offer.textContent(),
    /^Restore your unfinished MLP from .+ \(a copy taken 50% of the way through a 3-epoch run, in epoch 2\)\?/,
  );
  await offer.getByRole('button', {name: 'Restore', exact: true}).click();
  await offer.waitFor({state: 'detached', ...LONG});
  await drawAndRead(page, 3);
  assert.match(await page.locator('[data-model="mlp"] .pred-meta').textContent(), /trained here, restored/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a full storage is told when the trained model cannot be kept, and a mid-run copy is never called finished', async () => {
  const page = await openPage(site.context, site.url);
  await clearStored(page);
  // The storage takes the mid-run copy, then is full (window.failPuts, set below).
  await page.evaluate(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (...args) {
      if (window.failPuts) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    };
  });
  const {worker, copy} = await pausedMlpRun(page, 20, {epochs: 1, digits: 5000});
  await page.evaluate(() => {
    window.failPuts = true;
  });
  await releaseTraining(worker);
  await page.getByRole('button', {name: 'Resume', exact: true}).click();
  await page.locator('#train .lane-mlp', {hasText: 'finished'}).waitFor({timeout: 90000});
  const notice = page.locator('.mlab-notices .notice-error', {hasText: 'Could not keep'});
  await notice.waitFor(LONG);
  assert.equal(
    await notice.locator('span').textContent(),
    "Could not keep the trained MLP in this browser: the browser's storage for this page is full. Download its weights to keep them.",
  );
  assert.equal(await storedWeights(page, 'mlp'), null);
  assert.equal((await storedWeights(page, 'mlp:run')).sha256, copy.sha256);
  // After a reload the copy is offered for what it is: taken part-way through the run.
  await page.reload();
  const offer = page.locator('.restore-offer[data-slot="mlp"]');
  await offer.waitFor(LONG);
  const share = Math.round((100 * 20) / copy.metrics.totalSteps);
  assert.match(
    await offer.textContent(),
    new RegExp(
      `^Restore your unfinished MLP from .+ \\(a copy taken ${share}% of the way through a 1-epoch run, in epoch 1\\)\\?`,
    ),
  );
  assert.equal(await page.locator('.restore-offer').count(), 1);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a worker that closes without a word is noticed and restarted with the run's last copy", async () => {
  const page = await openPage(site.context, site.url);
  // Paused, the run is stored as it stands: those are the last good weights.
  const {worker} = await pausedMlpRun(page, 5, {epochs: 1, digits: 5000});
  // A Resume the worker never answers is still pending when it goes: that request fails quietly,
  // the crash is what the page reports.
  await worker.evaluate(() => {
    const handle = self.onmessage;
    self.onmessage = (e) => (e.data.type === 'resume' ? undefined : handle(e));
  });
  await page.getByRole('button', {name: 'Resume', exact: true}).click();
  await sendToWorker(worker, {type: '__testClose', id: 999998}).catch(() => {}); // the worker may be gone before it answers
  const notice = page.locator('.mlab-notices .notice-error', {hasText: 'The MLP engine'});
  await notice.waitFor(LONG);
  assert.equal(
    await notice.locator('span').textContent(),
    'The MLP engine crashed (its worker closed without a word) ' +
      'and its training run was lost. It restarts with its last good weights.',
  );
  await page.locator('.mlab-notices', {hasText: 'The MLP is running again.'}).waitFor(LONG);
  // Nothing waits on the dead worker: Train answers again, the pad predicts with the MLP.
  assert.equal(await trainBtn(page).isEnabled(), true);
  assert.equal(await page.getByRole('button', {name: 'Pause', exact: true}).isEnabled(), false);
  await page.locator('#draw').scrollIntoViewIfNeeded();
  await drawAndRead(page, 4);
  assert.match(
    await page.locator('[data-model="mlp"] .pred-meta').textContent(),
    /mlp · 535,818 params · trained here/,
  );
  assert.deepEqual(page.errors, []);
  await page.close();
});

/**
 * A weights file (the format in core/nn/model/serialize.h) for `spec` written as
 * given, with `count` float32 values.
 */
function weightsFile(spec, count) {
  const text = Buffer.from(spec, 'utf8');
  const head = Buffer.alloc(20);
  head.write('MNLABW01', 0, 'latin1');
  head.writeUInt32LE(1, 8); // version
  head.writeUInt32LE(0, 12); // float32
  head.writeUInt32LE(text.length, 16);
  const n = Buffer.alloc(8);
  n.writeBigUInt64LE(BigInt(count));
  const data = Buffer.alloc(count * 4);
  for (let i = 0; i < count; i++) data.writeFloatLE(((i * 37) % 101) / 1000 - 0.05, i * 4);
  const body = Buffer.concat([head, text, n, data]);
  let hash = 0xcbf29ce484222325n; // FNV-1a 64 of every byte before it
  for (const b of body) hash = BigInt.asUintN(64, (hash ^ BigInt(b)) * 0x100000001b3n);
  const sum = Buffer.alloc(8);
  sum.writeBigUInt64LE(hash);
  return Buffer.concat([body, sum]);
}

test('a weights file goes to the network the core says it is: a spec written CONV(4,3) loads into the CNN', async () => {
  const page = await openPage(site.context, site.url);
  await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
  await page.locator('#weights input[type="file"]').setInputFiles({
    name: 'upper.mlw',
    mimeType: 'application/octet-stream',
    buffer: weightsFile('CONV(4,3)-flatten-dense(10)', 27090),
  });
  const msg = page.locator('#weights [role="alert"][aria-busy="false"]');
  await msg.waitFor(LONG);
  assert.equal(
    await msg.textContent(),
    'Loaded "upper.mlw" into the CNN: conv(4,3)-flatten-dense(10) (27,090 parameters).',
  );
  await drawAndRead(page, 1);
  assert.equal(
    await page.locator('[data-model="cnn"] .pred-meta').textContent(),
    'upper · 27,090 params · loaded from file',
  );
  assert.match(
    await page.locator('[data-model="mlp"] .pred-meta').textContent(),
    /^mlp · 535,818 params · pretrained$/,
  );
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a reply of the wrong type fails its request with a message; nothing else is downloaded in its place', async () => {
  const page = await openPage(site.context, site.url);
  await page.locator('[data-model="mlp"][data-digit]').waitFor(LONG);
  // The worker's next weights file goes out labelled as something else.
  await (await modelWorker(page, 'mlp')).evaluate(() => {
    const post = self.postMessage.bind(self);
    self.postMessage = (m, transfer) => post(m?.type === 'weights' ? {...m, type: 'params'} : m, transfer);
  });
  let downloads = 0;
  page.on('download', () => downloads++);
  await page.getByRole('button', {name: 'Download MLP weights'}).click();
  const msg = page.locator('#weights [role="alert"][aria-busy="false"]');
  await msg.waitFor(LONG);
  assert.equal(await msg.textContent(), "the engine answered 'params' to 'exportWeights'");
  assert.equal(downloads, 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

// Beside it, each system's time to its article's accuracy (web/public/results/time-to-accuracy.json,
// which scripts/time-to-accuracy.mjs writes), and a link per row that opens the Train form with
// that recipe, the seed and the accuracy to stop at.
test("the time to each article's accuracy comes from its shipped file, and a row's link sets up that run", async () => {
  const page = await openPage(site.context, site.url);
  await page.locator('[data-model="mlp"][data-digit]').waitFor(LONG);
  await page.locator('[data-section="reproduce"]').scrollIntoViewIfNeeded();
  const table = page.locator('[data-section="reproduce"] table.repro-time-table');
  await table.waitFor(LONG);
  const shipped = JSON.parse(
    fs.readFileSync(new URL('../../web/public/results/time-to-accuracy.json', import.meta.url), 'utf8'),
  );
  assert.equal(await table.locator('tbody tr').count(), shipped.rows.length);
  for (const r of shipped.rows) {
    const cells = await table.locator(`tbody tr[data-id="${r.id}"] td`).allTextContents();
    assert.equal(cells.length, 4, r.id);
    assert.ok(
      cells[1].startsWith(`${r.article.acc.toFixed(2)}%in ${duration(r.article.seconds)}`),
      `${r.id}: ${cells[1]}`,
    );
    assert.ok(
      cells[2].startsWith(`${duration(r.train_seconds)}${r.test_accuracy.toFixed(2)}% after`),
      `${r.id}: ${cells[2]}`,
    );
    assert.ok(
      cells[3].startsWith(`${duration(r.page.train_seconds)}${r.page.test_accuracy.toFixed(2)}%`),
      `${r.id}: ${cells[3]}`,
    );
  }
  // The SGD row's link: the full page again, its Train form set to that recipe.
  const row = shipped.rows.find((r) => r.recipe.optimizer === 'sgd');
  await page.getByRole('link', {name: `Set up this run: ${row.system}, in the Train form`}).click();
  await page.waitForURL((u) => u.searchParams.get('until') === String(row.article.acc));
  await page
    .getByLabel('Model', {exact: true})
    .locator('option[value="custom"]')
    .waitFor({state: 'attached', ...LONG});
  const field = (label) => page.getByLabel(label, {exact: true});
  await page.waitForFunction(
    (model) => document.querySelector('#train select')?.value === model,
    row.recipe.model,
    LONG,
  );
  assert.equal(await field('Optimizer').inputValue(), 'sgd');
  assert.equal(Number(await field('Learning rate').inputValue()), row.recipe.lr);
  assert.equal(Number(await field('Epochs').inputValue()), row.recipe.epochs);
  assert.equal(Number(await field('Batch size').inputValue()), row.recipe.batch);
  assert.equal(Number(await field('Stop at accuracy (%)').inputValue()), row.article.acc);
  assert.equal(Number(await field('Test every').inputValue()), shipped.eval_every);
  assert.equal(Number(await field('Seed').inputValue()), shipped.seed);
  assert.equal(await page.locator('#train [aria-invalid="true"]').count(), 0, 'every value of the link is taken');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('without its times file the results table still shows, and the times say why they are missing', async () => {
  const page = await openPage(site.context);
  await page.route('**/results/time-to-accuracy.json', (r) => r.fulfill({status: 404, body: 'gone'}));
  await page.goto(site.url);
  await page.locator('[data-model="mlp"][data-digit]').waitFor(LONG);
  await page.locator('[data-section="reproduce"]').scrollIntoViewIfNeeded();
  await page.locator('[data-section="reproduce"] table.repro-table').waitFor(LONG);
  assert.equal(
    await page.locator('[data-section="reproduce"] .repro-time .error').textContent(),
    "Could not show the times to the articles' accuracy: the server answered 404.",
  );
  assert.equal(await page.locator('.repro-time-table').count(), 0);
  // Chromium logs the 404 itself; nothing else went wrong.
  assert.deepEqual(
    page.errors.filter((e) => !/Failed to load resource/.test(e)),
    [],
  );
  await page.close();
});

// The shipped results file is read at start (Results show its analysis of the pretrained models on
// first view); the reproduction table is built from it once its section is shown.
test('the reproduced results table comes from the shipped results file', async () => {
  const page = await openPage(site.context);
  const fetched = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.endsWith('/results.json')) fetched.push(r.url());
  });
  await page.goto(site.url);
  await page.locator('[data-model="mlp"][data-digit]').waitFor(LONG);
  await page.locator('[data-section="reproduce"]').scrollIntoViewIfNeeded();
  const table = page.locator('[data-section="reproduce"] table.repro-table');
  await table.waitFor(LONG);
  assert.match(await table.textContent(), /MLP 784-512-256-10/);
  // Each row names the article it reproduces by its title.
  assert.match(
    await table.locator('tbody tr', {hasText: 'TinyCNN'}).textContent(),
    /Daniel Gustaw, \u201cFrom MLP to CNN\. Neural Networks for MNIST Digit Recognition\u201d/,
  );
  // One row per system in the shipped results, each marked as the file says.
  const shipped = JSON.parse(
    fs.readFileSync(new URL('../../web/public/results/results.json', import.meta.url), 'utf8'),
  );
  const count = (f) => shipped.rows.filter(f).length;
  assert.equal(await table.locator('tbody tr').count(), shipped.rows.length);
  assert.equal(
    await table.locator('tr.missing', {hasText: 'not run yet'}).count(),
    count((r) => r.missing),
  );
  assert.equal(
    await table.locator('tr.met', {hasText: '✓ met'}).count(),
    count((r) => !r.missing && r.met),
  );
  assert.equal(
    await table.locator('tr.unmet', {hasText: 'not met'}).count(),
    count((r) => !r.missing && !r.met),
  );
  assert.equal(await page.locator('[data-section="reproduce"] .repro-plots img').count(), 5);
  // The pretrained models' analysis and this table read one fetch of the file.
  assert.equal(fetched.length, 1, `results.json fetched once (${fetched.join(', ')})`);
  await page.locator('[data-section="reproduce"] .repro-plots img').first().scrollIntoViewIfNeeded();
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.repro-plots img')].some((i) => i.complete && i.naturalWidth > 0),
  );
  assert.deepEqual(page.errors, []);
  await page.close();
});
