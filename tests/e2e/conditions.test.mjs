// The page under bad conditions while it trains: a slow dataset download, the user
// switching model or reloading mid-run, and a learning rate that makes training
// diverge. Each gets a clear message, the page stays usable, and no trained
// weights are lost.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {LONG, drawStrokes, openPage} from './support/browser.js';
import {DIGIT_STROKES} from './support/digits.js';
import {distDir} from './support/server.js';
import {useSite} from './support/setup.js';
import {clearStored, storedWeights, waitForStored} from './support/store.js';
import {holdTraining, modelWorker, patchTrainRequests} from './support/worker.js';

const site = useSite();

/** Opens the train view with a model, a number of epochs and training digits chosen. */
async function setup(page, {model, epochs, digits}) {
  await page.locator('[data-model="mlp"][data-digit]').waitFor(LONG);
  await page.locator('#train').scrollIntoViewIfNeeded();
  await page.getByLabel('Model', {exact: true}).selectOption(model);
  await page.getByLabel('Epochs', {exact: true}).fill(String(epochs));
  await page.getByLabel('Training digits', {exact: true}).selectOption(String(digits));
}

/** Clears the pad, draws `digit` and waits for both networks' new predictions. */
async function drawAndRead(page, digit) {
  await page.getByRole('button', {name: 'Clear', exact: true}).click();
  for (const n of ['mlp', 'cnn']) await page.locator(`[data-model="${n}"]:not([data-digit])`).waitFor(LONG);
  await drawStrokes(page, page.locator('canvas[aria-label="Drawing pad"]'), DIGIT_STROKES[digit]);
  for (const n of ['mlp', 'cnn']) await page.locator(`[data-model="${n}"][data-digit]`).waitFor(LONG);
}

/** The ten probabilities the MLP panel shows, in percent. */
async function mlpProbabilities(page) {
  const texts = await page.locator('[data-model="mlp"] .bars .v').allTextContents();
  return texts.map((t) => {
    assert.match(t, /^[<>]?\d+(\.\d+)?%$/, `a finite probability (got "${t}")`);
    return parseFloat(t.replace(/^[<>]/, ''));
  });
}

/** The MLP's weights file, as the Download button gives it. */
async function downloadMlp(page) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', {name: 'Download MLP weights'}).click(),
  ]);
  return fs.readFileSync(await download.path());
}

const trainBtn = (page) => page.getByRole('button', {name: 'Train', exact: true});

test('a slow dataset download shows its progress, the page stays usable, then training runs', async () => {
  const page = await openPage(site.context);
  // A slow server: the MNIST files are held until the test has looked at the page meanwhile.
  let release;
  const gate = new Promise((resolve) => {
    release = resolve;
  });
  const held = new Set();
  await page.route('**/*.gz', async (route) => {
    held.add(path.basename(new URL(route.request().url()).pathname));
    await gate;
    await route.continue();
  });
  await page.goto(site.url);
  await setup(page, {model: 'mlp', epochs: 1, digits: 1000});
  await trainBtn(page).click();

  const note = page.locator('#train .download-note');
  await note.waitFor({state: 'visible', ...LONG});
  assert.match(
    await note.textContent(),
    /Waiting for the server to send the MNIST digits \(11\.2 MB\)\. Training starts once they are in; meanwhile the drawing pad and the other views keep working\./,
  );
  const lane = page.locator('#train .lane-mlp[data-state="preparing"]');
  assert.match(await lane.textContent(), /downloading the digits, 0 kB of 11\.2 MB/);
  assert.equal(await trainBtn(page).isDisabled(), true, 'the MLP is busy');
  assert.equal(
    await page.getByRole('button', {name: 'Stop', exact: true}).isEnabled(),
    true,
    'the wait can be called off',
  );
  await page.locator('#train').screenshot({path: '/tmp/mnist-lab-slow-download.png'});

  // The page stays usable: both networks predict a drawing, other views respond.
  await drawAndRead(page, 7);
  await page.locator('#network').scrollIntoViewIfNeeded();
  await page.locator('#network').getByRole('button', {name: 'CNN (convolutional)'}).click();
  await page
    .locator('#network .net-caption', {hasText: 'CNN “cnn”, 225,034 parameters, showing your drawing'})
    .waitFor(LONG);
  assert.ok(held.has('train-images-idx3-ubyte.gz'), `the downloads were held (${[...held]})`);
  assert.equal(await note.isVisible(), true, 'still waiting for the data');

  release();
  await page.locator('#train .lane-mlp[data-state="done"]', {hasText: 'finished'}).waitFor(LONG);
  assert.equal(await note.isVisible(), false);
  assert.match(await page.locator('[data-metric="test-accuracy"]').textContent(), /^\d{1,3}\.\d{2}%$/);
  assert.equal(await trainBtn(page).isEnabled(), true);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("switching model or reloading mid-training: a clear message, and the run's weights come back", async () => {
  const page = await openPage(site.context, site.url);
  await clearStored(page); // the first test's finished run
  await setup(page, {model: 'mlp', epochs: 3, digits: 20000});
  // The run holds after 20 batches (a test hook), so all that follows happens mid-run on any machine.
  const held = holdTraining(await modelWorker(page, 'mlp'), 20);
  await trainBtn(page).click();
  await held;
  await page.locator('#train .lane-mlp[data-state="running"]').waitFor(LONG);

  // Another dense model cannot start while the MLP's worker trains: the page says why.
  await page.getByLabel('Model', {exact: true}).selectOption('mlp-32');
  const busy = page.locator('#train .train-busy');
  await busy.waitFor({state: 'visible'});
  assert.equal(
    await busy.textContent(),
    'The MLP is training mlp now: stop it to train mlp-32 instead, or pick a convolutional model to train beside it.',
  );
  assert.equal(await trainBtn(page).isDisabled(), true);
  // A convolutional one may train beside it.
  await page.getByLabel('Model', {exact: true}).selectOption('tiny-cnn');
  await busy.waitFor({state: 'hidden'});
  assert.equal(await trainBtn(page).isEnabled(), true);
  // Loading a weights file into the training MLP is refused and changes nothing.
  await page.locator('#weights input[type="file"]').setInputFiles({
    name: 'other.mlw',
    mimeType: 'application/octet-stream',
    buffer: fs.readFileSync(path.join(distDir, 'weights/mlp.mlw')),
  });
  const msg = page.locator('#weights [role="alert"][aria-busy="false"]', {hasText: 'training'});
  await msg.waitFor(LONG);
  assert.equal(await msg.textContent(), 'The MLP is training; stop it before loading weights.');
  // The drawing pad keeps predicting with the MLP as it learns.
  await drawAndRead(page, 2);
  assert.match(await page.locator('[data-model="mlp"] .pred-meta').textContent(), /training now/);

  // Pausing stores the run as it stands: a mid-epoch copy (no test score yet), apart from any finished model.
  await page.locator('#train').scrollIntoViewIfNeeded();
  await page.getByRole('button', {name: 'Pause', exact: true}).click();
  await page.locator('#train .lane-mlp[data-state="paused"]').waitFor();
  const copy = await waitForStored(
    page,
    'mlp:run',
    (r) => r?.metrics.partial && r.metrics.step === 20 && r.metrics.testAccuracy === null,
  );
  assert.equal(await storedWeights(page, 'mlp'), null, 'no finished model was stored');

  // A reload asks first (the run would end), then offers the run's latest copy back.
  let dialog = null;
  page.once('dialog', (d) => {
    dialog = d.type();
    d.accept();
  });
  await page.reload();
  assert.equal(dialog, 'beforeunload', 'the browser asked before ending the run');
  const stored = await storedWeights(page, 'mlp:run');
  assert.equal(stored.sha256, copy.sha256, 'the copy from the pause is the one kept');
  const offer = page.locator('.restore-offer[data-slot="mlp"][data-kind="run"]');
  await offer.waitFor(LONG);
  const share = Math.round((100 * 20) / stored.metrics.totalSteps);
  assert.match(
    await offer.textContent(),
    new RegExp(
      `^Restore your unfinished MLP from .+ \\(a copy taken ${share}% of the way through a 3-epoch run, in epoch 1\\)\\?Restore`,
    ),
  );
  assert.equal(await page.locator('.restore-offer').count(), 1, 'nothing else to offer');
  await offer.getByRole('button', {name: 'Restore', exact: true}).click();
  await offer.waitFor({state: 'detached', ...LONG});
  await drawAndRead(page, 3);
  assert.match(
    await page.locator('[data-model="mlp"] .pred-meta').textContent(),
    /mlp · 535,818 params · trained here, restored/,
  );
  // Exactly the stored weights: the MLP's weights file now is the stored copy, byte for byte.
  const {createHash} = await import('node:crypto');
  assert.equal(
    createHash('sha256')
      .update(await downloadMlp(page))
      .digest('hex'),
    stored.sha256,
  );
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a training start the engine refuses keeps the model in place: the page says why, the pad still reads digits', async () => {
  const page = await openPage(site.context, site.url);
  await setup(page, {model: 'custom', epochs: 1, digits: 1000});
  const before = await downloadMlp(page);
  await page.getByLabel('Layer spec', {exact: true}).fill('dense(16)-relu-dense(10)');
  await page.locator('#train .spec-check.ok', {hasText: "12,730 parameters · trains in the MLP's place"}).waitFor();
  // A learning rate of 1e-300 reaches the engine (0 as a 32-bit float, which it refuses).
  await patchTrainRequests(await modelWorker(page, 'mlp'), {lr: 1e-300});
  await trainBtn(page).click();
  const alert = page.locator('#train [role="alert"]');
  await alert.waitFor({state: 'visible', ...LONG});
  assert.equal(
    await alert.textContent(),
    'The MLP did not start training: learning rate must be in (0, 10], got 0. Its current model is kept.',
  );
  assert.equal(await trainBtn(page).isEnabled(), true);

  // The pretrained MLP still answers, on the pad and in the network diagram.
  await page.locator('#draw').scrollIntoViewIfNeeded();
  await drawAndRead(page, 3);
  await page.locator('[data-model="mlp"][data-digit="3"]').waitFor(LONG);
  assert.match(await page.locator('[data-model="mlp"] .pred-meta').textContent(), /mlp · 535,818 params · pretrained/);
  await page.locator('#network').scrollIntoViewIfNeeded();
  await page.locator('#network').getByRole('button', {name: 'MLP (dense)'}).click();
  await page
    .locator('#network .net-caption', {hasText: 'MLP “mlp”, 535,818 parameters, showing your drawing'})
    .waitFor(LONG);
  assert.deepEqual(await downloadMlp(page), before, 'the same weights download as before the attempt');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a learning rate that diverges stops training with the step, the loss and a hint; the weights still predict', async () => {
  const page = await openPage(site.context, site.url);
  await setup(page, {model: 'mlp', epochs: 1, digits: 5000});
  await page.getByLabel('Learning rate', {exact: true}).fill('10');
  await page.getByLabel('Schedule', {exact: true}).selectOption('constant');
  await trainBtn(page).click();

  const alert = page.locator('#train [role="alert"]');
  await alert.waitFor({state: 'visible', ...LONG});
  assert.match(
    await alert.textContent(),
    /^MLP: Training diverged at step \d+: the loss (jumped to [\d.e+-]+|was no longer a finite number)\. The weights from the last good step are kept and still predict\. Try a lower learning rate than 10 \(say 0\.003\)\.$/,
  );
  await page.locator('#train .lane-mlp[data-state="done"]', {hasText: 'diverged'}).waitFor();
  assert.equal(await trainBtn(page).isEnabled(), true, 'Train can be pressed again');
  await page.locator('#train').screenshot({path: '/tmp/mnist-lab-diverged.png'});

  // The kept weights are finite: a drawing gets ten real probabilities summing to 100%.
  await page.locator('#draw').scrollIntoViewIfNeeded();
  await drawAndRead(page, 5);
  assert.match(await page.locator('[data-model="mlp"] .pred-meta').textContent(), /trained here/);
  const probs = await mlpProbabilities(page);
  assert.equal(probs.length, 10);
  assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 100) < 1, `they sum to 100% (${probs})`);
  // A rate above the core's limit is refused before anything starts.
  await page.locator('#train').scrollIntoViewIfNeeded();
  await page.getByLabel('Learning rate', {exact: true}).fill('1000000');
  assert.equal(await page.getByLabel('Learning rate', {exact: true}).getAttribute('aria-invalid'), 'true');
  assert.equal(
    await page.locator('#train .field-error:visible').textContent(),
    'The learning rate must be a number from 0.000001 to 10.',
  );
  assert.equal(await trainBtn(page).isDisabled(), true);
  assert.deepEqual(page.errors, []);
  await page.close();
});
