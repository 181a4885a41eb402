// The multi-threaded engine: served with COOP/COEP (as npm start does) the page
// is cross-origin isolated, its workers run the pthreads build (wasm-mt/, with
// fused multiply-adds in Chromium) with min(cores, 4) threads, say so, and a CNN run trains and then predicts;
// two runs at once share the threads out; served
// like a plain static host, the same page runs the single-thread build and trains.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {LONG, openPage} from './support/browser.js';
import {useSite} from './support/setup.js';
import {holdTraining, modelWorker, releaseTraining} from './support/worker.js';

/** Loads the page and waits for both models; -> {page, isolated, engine text}. */
async function open(site) {
  const page = await openPage(site.context, site.url);
  await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
  await page.locator('[data-engine]').filter({hasText: 'Engine'}).waitFor(LONG);
  const isolated = await page.evaluate(() => globalThis.crossOriginIsolated === true);
  return {page, isolated, engine: await page.locator('[data-engine]').textContent()};
}

/** Trains the cnn preset on 1,000 digits for one epoch; -> the test accuracy shown. */
async function trainCnn(page) {
  await page.locator('#train').scrollIntoViewIfNeeded();
  await page.getByLabel('Model', {exact: true}).selectOption('cnn');
  await page.getByLabel('Epochs', {exact: true}).fill('1');
  await page.getByLabel('Training digits', {exact: true}).selectOption('1000');
  await page.getByRole('button', {name: 'Train', exact: true}).click();
  await page.waitForFunction(
    () => Number(document.querySelector('#train [role="progressbar"]').getAttribute('aria-valuenow')) > 0,
    null,
    {timeout: 90000},
  );
  await page.waitForFunction(
    () => /%$/.test(document.querySelector('[data-metric="test-accuracy"]').textContent),
    null,
    {timeout: 120000},
  );
  const speed = await page.locator('[data-metric="samples-per-second"]').textContent();
  assert.match(speed, /^[\d,]+$/, `samples/s shown (got "${speed}")`);
  return parseFloat(await page.locator('[data-metric="test-accuracy"]').textContent());
}

/** After a run the drawing pad's CNN is the freshly trained one and predicts a test digit. */
async function predictsAfterTraining(page) {
  await page.waitForFunction(() => !document.querySelector('#train button.btn-primary').disabled, null, LONG);
  await page.locator('[data-model="cnn"] .pred-meta', {hasText: 'trained here'}).waitFor(LONG);
  const digit = await page.locator('[data-model="cnn"][data-digit]').getAttribute('data-digit');
  assert.match(digit, /^\d$/);
}

describe('served with COOP/COEP', () => {
  const site = useSite({isolate: true});

  test('both workers run the pthreads build with fused multiply-adds and min(cores, 4) threads; a CNN trains and predicts', async () => {
    const {page, isolated, engine} = await open(site);
    assert.equal(isolated, true, 'COOP/COEP make the page cross-origin isolated');
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const want = Math.min(cores, 4);
    assert.ok(want >= 2, `the test machine has ${cores} cores`);
    // Chromium validates relaxed SIMD: the threaded engine fuses too (never slower kernels than a plain host's).
    assert.equal(engine, `Engine: WebAssembly SIMD with fused multiply-add · ${want} threads`);
    const acc = await trainCnn(page);
    assert.ok(acc > 50, `1,000 digits for one epoch: the CNN learns (test accuracy ${acc}%)`);
    await predictsAfterTraining(page);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('two runs at once share the threads out while both train, and one alone has them all', async () => {
    const {page} = await open(site);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const want = Math.min(cores, 4);
    const share = Math.max(1, Math.floor(want / 2));
    // Both runs hold at their 5th batch, so the test looks at them while both train, at any speed.
    const held = Promise.all(['mlp', 'cnn'].map(async (n) => holdTraining(await modelWorker(page, n), 5)));
    await page.locator('#train').scrollIntoViewIfNeeded();
    await page.getByLabel('Training digits', {exact: true}).selectOption('1000');
    await page.getByRole('button', {name: 'Race MLP vs CNN'}).click();
    await held;
    const line = page.locator('[data-engine]');
    // The text comes from each worker's reply: the threads its engine now uses.
    await line
      .filter({
        hasText: `Engine: WebAssembly SIMD with fused multiply-add · ${share} of ${want} threads (the runs share the cores)`,
      })
      .waitFor(LONG);
    // Paused, the runs give the cores back (Pause pauses both).
    await page.getByRole('button', {name: 'Pause', exact: true}).click();
    await line.filter({hasText: new RegExp(`· ${want} threads$`)}).waitFor(LONG);
    await page.getByRole('button', {name: 'Resume', exact: true}).click();
    await line.filter({hasText: `${share} of ${want} threads`}).waitFor(LONG);
    await Promise.all(['mlp', 'cnn'].map(async (n) => releaseTraining(await modelWorker(page, n))));
    await page.getByRole('button', {name: 'Stop', exact: true}).click();
    await line.filter({hasText: new RegExp(`· ${want} threads$`)}).waitFor(LONG);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('if the pthreads build does not start, the page says so on the console and runs the single-thread one', async () => {
    // A site copied without wasm-mt/ (or a broken copy of it).
    await site.context.route('**/wasm-mt/mnist_lab.mjs', (r) => r.fulfill({status: 404, body: 'not found'}));
    const warnings = [];
    try {
      const page = await openPage(site.context);
      page.on('console', (m) => {
        if (m.type() === 'warning') warnings.push(m.text());
      });
      await page.goto(site.url);
      await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
      await page.locator('[data-engine]').filter({hasText: 'Engine'}).waitFor(LONG);
      // Chromium validates relaxed SIMD, so the single-thread engine is the fused multiply-add build.
      assert.equal(
        await page.locator('[data-engine]').textContent(),
        'Engine: WebAssembly SIMD with fused multiply-add · 1 thread',
      );
      assert.ok(
        warnings.some((w) => /multi-threaded engine did not start/.test(w)),
        warnings.join('\n'),
      );
      assert.deepEqual(page.errors, []);
      await page.close();
    } finally {
      await site.context.unrouteAll();
    }
  });
});

describe('served like a plain static host', () => {
  const site = useSite();

  test('the page falls back to the single-thread build and trains', async () => {
    const {page, isolated, engine} = await open(site);
    assert.equal(isolated, false);
    assert.equal(engine, 'Engine: WebAssembly SIMD with fused multiply-add · 1 thread');
    const acc = await trainCnn(page);
    assert.ok(acc > 50, `test accuracy ${acc}%`);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
