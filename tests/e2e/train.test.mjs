// Training in the page: a short MLP run updates the charts and the metrics and
// ends with a real test accuracy; pause, resume and stop work; race mode runs
// both networks at once.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {LONG, drawStrokes, openPage, screenshotPath} from './support/browser.js';
import {DIGIT_STROKES} from './support/digits.js';
import {useSite} from './support/setup.js';
import {clearStored, waitForStored} from './support/store.js';
import {holdTraining, modelWorker, releaseTraining, sendToWorker} from './support/worker.js';

const site = useSite();

async function setup(page, {model, epochs, digits}) {
  await page.goto(site.url);
  await page.locator('[data-model="mlp"][data-digit]').waitFor(LONG);
  await page.locator('#train').scrollIntoViewIfNeeded();
  await page.getByLabel('Model', {exact: true}).selectOption(model);
  await page.getByLabel('Epochs', {exact: true}).fill(String(epochs));
  await page.getByLabel('Training digits', {exact: true}).selectOption(String(digits));
}

const progressValue = async (page) =>
  Number(await page.locator('#train [role="progressbar"]').getAttribute('aria-valuenow'));

/**
 * A chart's series as its summary for screen readers tells them: {label: {points, from, to}}
 * (x in the chart's unit), and the learning rates marked on it.
 */
async function chartSeries(page, which) {
  const text = await page
    .locator('#train .charts figure')
    .nth(which === 'loss' ? 0 : 1)
    .locator('.chart-summary')
    .textContent();
  const out = {};
  for (const m of text.matchAll(/([^.:]+): (\d+) points, ([\d.]+)(?: s)? to ([\d.]+)(?: s)?\./g))
    out[m[1].trim()] = {points: Number(m[2]), from: Number(m[3]), to: Number(m[4])};
  const rates = [...text.matchAll(/Learning rate set to ([\d.e-]+)/g)].map((m) => Number(m[1]));
  return {series: out, rates};
}

/** The lane of a slot's run: {state, step, lr} as its text says them. */
async function lane(page, slot) {
  const el = page.locator(`#train .lane-${slot}`);
  const text = await el.textContent();
  return {
    state: await el.getAttribute('data-state'),
    step: Number(text.match(/step ([\d,]+)/)?.[1].replace(/,/g, '')),
    lr: Number(text.match(/lr ([\d.e-]+)/)?.[1]),
  };
}

/** The text of the ten probabilities a pad panel shows. */
const padAnswers = (page, slot) => page.locator(`[data-model="${slot}"] .bars li`).allTextContents();

test('a short MLP run updates the curves, the speed and the test accuracy', async () => {
  const page = await openPage(site.context);
  await setup(page, {model: 'mlp', epochs: 1, digits: 5000});
  await page.getByRole('button', {name: 'Train', exact: true}).click();
  const acc = page.locator('[data-metric="test-accuracy"]');
  await page.waitForFunction(
    () => /%$/.test(document.querySelector('[data-metric="test-accuracy"]').textContent),
    null,
    {timeout: 90000},
  );
  const text = await acc.textContent();
  assert.match(text, /^\d{1,3}\.\d{2}%$/);
  assert.ok(parseFloat(text) > 85, `5,000 digits for one epoch give > 85% (got ${text})`);
  const speed = await page.locator('[data-metric="samples-per-second"]').textContent();
  assert.match(speed, /^[\d,]+$/, `samples/s shown (got "${speed}")`);
  // The charts hold data: the empty note is gone and uPlot drew its series.
  assert.equal(await page.locator('#train .chart-empty').isHidden(), true);
  const legend = await page.locator('#train .u-legend').first().textContent();
  assert.match(legend, /MLP train/);
  assert.doesNotMatch(legend, /CNN/, 'the legend lists only the net that ran');
  // 79 batches: one point each (not a point per progress report), the line says what it averages.
  const {series} = await chartSeries(page, 'acc');
  assert.equal(await page.locator('#train .charts figure').first().getAttribute('data-x'), 'epochs');
  const train = series['MLP train (epoch mean)'];
  assert.ok(train && train.points >= 30, `at least 30 train points (got ${JSON.stringify(series)})`);
  assert.equal(train.to, 1, 'the train line ends at the end of the epoch');
  assert.equal(series['MLP test'].points, 1);
  assert.doesNotMatch(await page.locator('#train .chart-note').textContent(), /smoothing/, 'mlp keeps its labels');
  await page.getByRole('button', {name: 'Train', exact: true}).waitFor({state: 'visible'});
  await page.waitForFunction(() => !document.querySelector('#train button.btn-primary').disabled, null, LONG);
  // The drawing pad now uses the freshly trained MLP.
  assert.match(await page.locator('[data-model="mlp"] .pred-meta').textContent(), /trained here/);
  await page.locator('#train').screenshot({path: screenshotPath('train-1280.png')});
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a preset that smooths its labels says why its train loss stays above the test loss', async () => {
  const page = await openPage(site.context);
  await setup(page, {model: 'fast', epochs: 1, digits: 1000});
  await page.getByRole('button', {name: 'Train', exact: true}).click();
  await page.waitForFunction(
    () => /%$/.test(document.querySelector('[data-metric="test-accuracy"]').textContent),
    null,
    {timeout: 90000},
  );
  // fast smooths by 0.1: targets 0.91 and 0.01, whose entropy, 0.50, is the least the loss can be.
  const note = await page.locator('#train .chart-note').textContent();
  assert.match(
    note,
    /With label smoothing 0\.1 the train loss is measured against softened targets \(0\.91 on the label, 0\.01 on each other digit\), so it cannot fall below 0\.50;/,
  );
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('label smoothing from the link reaches the engine: the same seed trains otherwise, above the loss floor', async () => {
  // The epoch's train loss (the table's third column) of a short linear run.
  const trainLoss = async (query) => {
    const page = await openPage(site.context);
    await page.goto(`${site.url}?model=linear&epochs=1&limit=1000&seed=3${query}`);
    await page.locator('[data-model="mlp"][data-digit]').waitFor(LONG);
    await page.locator('#train').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => !document.querySelector('#train button.btn-primary').disabled);
    await page.getByRole('button', {name: 'Train', exact: true}).click();
    const cell = page.locator('#train .epochs tbody tr').first().locator('td').nth(2);
    await cell.waitFor({state: 'attached', timeout: 90000}); // the table may be folded away
    const loss = Number(await cell.textContent());
    assert.deepEqual(page.errors, []);
    await page.close();
    return loss;
  };
  const plain = await trainLoss('');
  const smoothed = await trainLoss('&label_smoothing=0.5');
  // Targets 0.55 and 0.05: cross-entropy against them is at least their entropy, 1.677.
  const floor = -(0.55 * Math.log(0.55) + 9 * 0.05 * Math.log(0.05));
  assert.ok(smoothed >= floor - 1e-3, `smoothed train loss ${smoothed} is at least ${floor.toFixed(3)}`);
  assert.notEqual(smoothed, plain, 'the same seed without smoothing trains another run');
});

test('Test every and Stop at accuracy: the run tests within its epoch and ends at the first test at or above the target', async () => {
  const page = await openPage(site.context);
  await page.goto(`${site.url}?eval_every=2000&until=93`);
  await page.locator('[data-model="mlp"][data-digit]').waitFor(LONG);
  await page.locator('#train').scrollIntoViewIfNeeded();
  assert.equal(await page.getByLabel('Test every', {exact: true}).inputValue(), '2000', "the link's interval");
  assert.equal(await page.getByLabel('Stop at accuracy (%)', {exact: true}).inputValue(), '93', "the link's target");
  await page.getByLabel('Model', {exact: true}).selectOption('mlp');
  await page.getByLabel('Epochs', {exact: true}).fill('2');
  await page.getByLabel('Training digits', {exact: true}).selectOption('20000');
  const batch = Number(await page.getByLabel('Batch size', {exact: true}).inputValue());
  assert.match(
    await page.locator('#train .train-summary').textContent(),
    /It tests every 2,000 digits as well as after each epoch, and stops at the first test at or above 93%\.$/,
  );
  await page.getByRole('button', {name: 'Train', exact: true}).click();
  await page.waitForFunction(() => document.querySelector('#train .lane-mlp')?.dataset.state === 'done', null, {
    timeout: 180000,
  });
  const rows = await page.locator('#train .epochs tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const td = [...tr.querySelectorAll('td')];
      return {epoch: td[1].textContent, digits: td[1].title, accuracy: parseFloat(td[5].textContent)};
    }),
  );
  const laneText = await page.locator('#train .lane-mlp').textContent();
  assert.match(laneText, /^.*reached 93% · /, `the lane says the run reached its target (${laneText})`);
  // Every 2,000 digits rounded up to whole batches: a test after each ceil(2000 / batch) batches.
  const every = Math.ceil(2000 / batch) * batch;
  assert.ok(rows.length >= 2, `tested more than once before 93% (${JSON.stringify(rows)})`);
  for (const [i, r] of rows.entries()) {
    if (i < rows.length - 1) assert.ok(r.accuracy < 93, `test ${i + 1} below the target: ${JSON.stringify(r)}`);
    assert.equal(r.digits, `after ${((i + 1) * every).toLocaleString('en-US')} training digits`);
    assert.equal(r.epoch, (((i + 1) * every) / 20000).toFixed(2), 'within the first epoch, as a fraction of it');
  }
  assert.ok(rows.at(-1).accuracy >= 93, `the last test reached the target: ${JSON.stringify(rows.at(-1))}`);
  // The run ended there, well before its two epochs: its step is that test's.
  const step = Number(laneText.match(/step ([\d,]+)/)[1].replace(/,/g, ''));
  assert.equal(step * batch, rows.length * every);
  assert.equal(
    await page.locator('[data-metric="test-accuracy"]').textContent(),
    `${rows.at(-1).accuracy.toFixed(2)}%`,
  );
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('pause, resume and stop', async () => {
  const page = await openPage(site.context);
  await setup(page, {model: 'mlp', epochs: 5, digits: 20000});
  await page.getByLabel('Batch size', {exact: true}).selectOption('64'); // 313 batches an epoch
  // The run holds at known steps (a test hook), so each action lands mid-run on any machine.
  const worker = await modelWorker(page, 'mlp');
  const first = holdTraining(worker, 40);
  await page.getByRole('button', {name: 'Train', exact: true}).click();
  await first;
  await page.getByRole('button', {name: 'Pause', exact: true}).click();
  await page.locator('#train .lane-mlp[data-state="paused"]').waitFor();
  const bar = page.locator('#train [role="progressbar"]');
  await page.waitForFunction(
    () => document.querySelector('#train [role="progressbar"]').getAttribute('aria-valuenow') === '3',
  );
  // Let go of the hold: a paused run still does not move. The worker answers a prediction
  // (its messages run between training chunks), and the run is where it was.
  await releaseTraining(worker);
  await page.getByRole('button', {name: 'Clear', exact: true}).click();
  await page.evaluate(() => document.querySelector('#draw').scrollIntoView());
  await drawStrokes(page, page.locator('canvas[aria-label="Drawing pad"]'), DIGIT_STROKES[1]);
  await page.locator('[data-model="mlp"][data-digit]').waitFor(LONG);
  assert.equal(await bar.getAttribute('aria-valuenow'), '3', 'no progress while paused');
  assert.equal(await page.locator('#train .lane-mlp').getAttribute('data-state'), 'paused');
  assert.equal(await page.getByRole('button', {name: 'Resume', exact: true}).isEnabled(), true);
  const second = holdTraining(worker, 400);
  await page.getByRole('button', {name: 'Resume', exact: true}).click();
  await second;
  await page.waitForFunction(
    () => document.querySelector('#train [role="progressbar"]').getAttribute('aria-valuenow') === '26',
  );
  await page.getByRole('button', {name: 'Stop', exact: true}).click();
  await page.locator('#train .lane-mlp', {hasText: 'stopped'}).waitFor(LONG);
  const stoppedAt = await progressValue(page);
  assert.ok(stoppedAt < 100, `stopped before the end (${stoppedAt}%)`);
  assert.equal(await page.getByRole('button', {name: 'Train', exact: true}).isEnabled(), true);
  assert.equal(await page.getByRole('button', {name: 'Stop', exact: true}).isEnabled(), false);
  assert.match(await page.locator('[data-metric="test-accuracy"]').textContent(), /%$|—/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('race mode trains the MLP and the CNN side by side', async () => {
  const page = await openPage(site.context);
  await setup(page, {model: 'mlp', epochs: 1, digits: 1000});
  await page.getByRole('button', {name: 'Race MLP vs CNN'}).click();
  await page.locator('#train .lane-mlp').waitFor();
  await page.locator('#train .lane-cnn').waitFor();
  await page.locator('#train .lane-mlp', {hasText: 'finished'}).waitFor({timeout: 90000});
  await page.locator('#train .lane-cnn', {hasText: 'finished'}).waitFor({timeout: 90000});
  const rows = await page.locator('#train .epochs tbody tr').count();
  assert.equal(rows, 2, 'one epoch row per network');
  // A race is drawn against seconds of training: the MLP, which does less work per digit, ends first.
  await page.locator('#train .charts figure[data-x="seconds"]').first().waitFor();
  const {series} = await chartSeries(page, 'loss');
  const mlp = series['MLP train (epoch mean)'];
  const cnn = series['CNN train (epoch mean)'];
  assert.ok(mlp && cnn, `both nets drawn (${JSON.stringify(series)})`);
  assert.ok(mlp.to < cnn.to, `the MLP's line ends first (${mlp.to} s vs ${cnn.to} s)`);
  assert.equal(series['MLP test'].to, mlp.to, "the MLP's test dot is where its run ended");
  // The six numbers say which run they follow, and switch to the other.
  const follow = page.locator('#train .follow');
  assert.equal(await follow.getByRole('button', {name: 'CNN'}).getAttribute('aria-pressed'), 'true');
  const cnnTest = await page.locator('[data-metric="test-accuracy"]').textContent();
  await follow.getByRole('button', {name: 'MLP'}).click();
  await page.locator('#train .follow button[aria-pressed="true"]', {hasText: 'MLP'}).waitFor();
  const mlpTest = await page.locator('[data-metric="test-accuracy"]').textContent();
  const table = await page.locator('#train .epochs tbody').textContent();
  assert.ok(table.includes(mlpTest) && table.includes(cnnTest), "each net's own test accuracy");
  await page.locator('#train').screenshot({path: screenshotPath('race-1280.png')});
  await page.locator('#results').scrollIntoViewIfNeeded();
  await page.locator('#results .headline .big').waitFor(LONG);
  assert.match(
    await page.locator('#results .headline .big').textContent(),
    /The CNN corrects \d[\d,]* of the MLP’s \d[\d,]* errors/,
  );
  // Linked views: a confusion cell filters the gallery; a digit there becomes the digit in focus.
  const cell = page.locator('#results table.confusion-mlp td.off button').first();
  const [t, p] = (await cell.getAttribute('aria-label')).match(/true (\d), predicted (\d)/).slice(1);
  await cell.click();
  await page.locator('#results .gallery-card h3', {hasText: `MLP: true ${t}, predicted ${p}`}).waitFor();
  const tile = page.locator('#results .g-tile').first();
  await tile.waitFor();
  // Its name is its visible words after a hidden "Test digit N:" (as a screen reader hears it).
  assert.match(await tile.ariaSnapshot(), new RegExp(`"Test digit [\\d,]+: true ${t} MLP ${p} CNN \\d"`));
  const index = await tile.getAttribute('data-index');
  await tile.click();
  await page.locator('#results .focus-bar', {hasText: `#${Number(index).toLocaleString('en-US')}`}).waitFor();
  await page.getByRole('button', {name: 'Open in the network diagram'}).click();
  await page
    .locator('#network .net-caption', {hasText: `test digit #${Number(index).toLocaleString('en-US')}`})
    .waitFor();
  await page.locator('#conv .conv-source', {hasText: `test digit #${Number(index).toLocaleString('en-US')}`}).waitFor();
  await page.locator('#results').screenshot({path: screenshotPath('results-1280.png')});
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the Seed field (also ?seed=) repeats a run bit for bit; another seed trains another model', async () => {
  // Each run in a page of its own, from an empty store; the weights it ends with are the ones
  // the page stores for the MLP (persistence.js), the file a reload would offer back. (Read
  // from the store, not downloaded: in full npm test runs the second of three downloads from
  // the same browser context never came, twice, with no message and no page error; the
  // download itself is tested in conditions, errors, finetune and robustness.)
  const weightsAfterRun = async (query, seedText) => {
    const page = await openPage(site.context);
    await page.goto(`${site.url}${query}`);
    await page.locator('[data-model="mlp"][data-digit]').waitFor(LONG);
    await clearStored(page);
    await page.locator('#train').scrollIntoViewIfNeeded();
    const seed = page.getByLabel('Seed', {exact: true});
    if (seedText !== undefined) await seed.fill(seedText);
    await page.getByLabel('Model', {exact: true}).selectOption('linear');
    await page.getByLabel('Epochs', {exact: true}).fill('1');
    await page.getByLabel('Training digits', {exact: true}).selectOption('1000');
    const used = await seed.inputValue();
    assert.match(await page.locator('#train .train-summary').textContent(), new RegExp(`seed ${used}\\.$`));
    await page.getByRole('button', {name: 'Train', exact: true}).click();
    await page.locator('#train .lane-mlp', {hasText: 'finished'}).waitFor({timeout: 90000});
    const stored = await waitForStored(page, 'mlp', (r) => r?.metrics.ended === 'finished', 30000);
    assert.equal(stored.metrics.epochs, 1);
    assert.deepEqual(page.errors, []);
    await page.close();
    return {used, sha256: stored.sha256};
  };
  const a = await weightsAfterRun('?seed=7');
  assert.equal(a.used, '7', "the link's seed is in the field");
  const b = await weightsAfterRun('', '7');
  const c = await weightsAfterRun('', '8');
  assert.equal(a.sha256, b.sha256, 'seed 7 twice: the same weights');
  assert.notEqual(a.sha256, c.sha256, 'seed 8: other weights');
});

test("a trained linear net is badged as the user's linear classifier, and Back to pretrained brings the shipped MLP back", async () => {
  const page = await openPage(site.context);
  await setup(page, {model: 'linear', epochs: 1, digits: 1000});
  const badge = page.locator('[data-model="mlp"] .chip');
  await page.locator('[data-model="mlp"] .chip[data-owner="pretrained"]').waitFor();
  assert.equal(await badge.textContent(), 'pretrained MLP');
  const shipped = await padAnswers(page, 'mlp');
  assert.equal(await page.getByRole('button', {name: 'Back to pretrained', exact: true}).isHidden(), true);
  await page.getByRole('button', {name: 'Train', exact: true}).click();
  await page.locator('#train .lane-mlp', {hasText: 'finished'}).waitFor({timeout: 90000});
  await page.locator('[data-model="mlp"] .chip[data-owner="yours"]').waitFor();
  assert.equal(await badge.textContent(), 'your linear classifier', 'its kind, from its layers: not an MLP');
  assert.equal(await page.locator('#train .lane-mlp .chip').textContent(), 'linear classifier');
  await page.waitForFunction(
    (before) =>
      JSON.stringify([...document.querySelectorAll('[data-model="mlp"] .bars li')].map((li) => li.textContent)) !==
      before,
    JSON.stringify(shipped),
    LONG,
  );
  // One button of that name on the page, beside the pad.
  const back = page.getByRole('button', {name: 'Back to pretrained', exact: true});
  assert.equal(await back.count(), 1);
  await back.click();
  await page.locator('[data-model="mlp"] .chip[data-owner="pretrained"]').waitFor();
  assert.equal(await badge.textContent(), 'pretrained MLP');
  await page.waitForFunction(
    (before) =>
      JSON.stringify([...document.querySelectorAll('[data-model="mlp"] .bars li')].map((li) => li.textContent)) ===
      before,
    JSON.stringify(shipped),
    LONG,
  );
  await back.waitFor({state: 'hidden'});
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a learning rate set mid-run is the one the next progress reports, and Step runs exactly one batch', async () => {
  const page = await openPage(site.context);
  await setup(page, {model: 'mlp', epochs: 1, digits: 20000});
  await page.getByLabel('Batch size', {exact: true}).selectOption('64'); // 313 batches
  const worker = await modelWorker(page, 'mlp');
  const first = holdTraining(worker, 40);
  await page.getByRole('button', {name: 'Train', exact: true}).click();
  await first;
  await page.getByLabel('New learning rate', {exact: true}).fill('0.0123');
  await page.getByRole('button', {name: 'Set rate'}).click();
  // The run held at 40 goes on to a hold at 80 (the hook wakes it as the page's Resume would).
  const second = holdTraining(worker, 80);
  await sendToWorker(worker, {type: 'resume', id: -3});
  await second;
  await page.waitForFunction(() => /step 80\b/.test(document.querySelector('#train .lane-mlp').textContent));
  assert.equal((await lane(page, 'mlp')).lr, 0.0123, 'the batches after the change trained at the new rate');
  const {rates} = await chartSeries(page, 'acc');
  assert.deepEqual(rates, [0.0123], 'the chart marks where the rate took over');

  await page.getByRole('button', {name: 'Pause', exact: true}).click();
  await page.locator('#train .lane-mlp[data-state="paused"]').waitFor();
  const before = (await lane(page, 'mlp')).step;
  for (const want of [before + 1, before + 2]) {
    await page.getByRole('button', {name: 'Step one batch'}).click();
    await page.waitForFunction(
      (n) => new RegExp(`step ${n}\\b`).test(document.querySelector('#train .lane-mlp').textContent),
      want,
    );
    const now = await lane(page, 'mlp');
    assert.equal(now.step, want, 'one batch per Step');
    assert.equal(now.state, 'paused', 'and the run stays paused');
  }
  await releaseTraining(worker);
  await page.getByRole('button', {name: 'Stop', exact: true}).click();
  await page.locator('#train .lane-mlp', {hasText: 'stopped'}).waitFor(LONG);
  // With no run going, Step starts one that pauses after its first batch.
  await page.getByLabel('Model', {exact: true}).selectOption('linear');
  await page.getByRole('button', {name: 'Step one batch'}).click();
  await page.waitForFunction(() => /step 1\b/.test(document.querySelector('#train .lane-mlp')?.textContent ?? ''));
  assert.equal((await lane(page, 'mlp')).state, 'paused');
  await page.getByRole('button', {name: 'Stop', exact: true}).click();
  assert.deepEqual(page.errors, []);
  await page.close();
});
