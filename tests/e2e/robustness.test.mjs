// No lost work and no dead page: trained weights survive a reload (IndexedDB), a
// crashed worker is restarted with its last good weights, and the reproduced
// results load lazily into the results view.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {test} from 'node:test';
import {drawStrokes, openPage} from './support/browser.js';
import {DIGIT_STROKES} from './support/digits.js';
import {useSite} from './support/setup.js';
import {storedWeights, waitForStored} from './support/store.js';

const site = useSite();

async function drawAndRead(page, digit) {
  await page.getByRole('button', {name: 'Clear', exact: true}).click();
  await drawStrokes(page, page.locator('canvas[aria-label="Drawing pad"]'), DIGIT_STROKES[digit]);
  await page.locator('[data-model="mlp"][data-digit]').waitFor({timeout: 20000});
  await page.locator('[data-model="cnn"][data-digit]').waitFor({timeout: 20000});
}

test('a trained model is stored and offered back after a reload', async () => {
  const page = await openPage(site.context, site.url);
  await page.locator('[data-model="mlp"][data-digit]').waitFor({timeout: 20000});
  await page.locator('#train').scrollIntoViewIfNeeded();
  await page.getByLabel('Model', {exact: true}).selectOption('mlp');
  await page.getByLabel('Epochs', {exact: true}).fill('1');
  await page.getByLabel('Training digits', {exact: true}).selectOption('5000');
  await page.getByRole('button', {name: 'Train', exact: true}).click();
  await page.locator('#train .lane-mlp', {hasText: 'finished'}).waitFor({timeout: 90000});
  // The copy is written after the run; wait for the finished run's copy, then reload.
  await waitForStored(page, 'mlp', (r) => r && !r.metrics.partial, 20000);
  await page.reload();
  const offer = page.locator('.restore-offer[data-slot="mlp"]');
  await offer.waitFor({timeout: 20000});
  assert.match(await offer.textContent(), /Restore your trained MLP from .+\?/);
  await offer.getByRole('button', {name: 'Restore', exact: true}).click();
  await offer.waitFor({state: 'detached', timeout: 20000});
  await drawAndRead(page, 3);
  assert.match(await page.locator('[data-model="mlp"] .pred-meta').textContent(), /restored/);
  const probs = await page.locator('[data-model="mlp"]').textContent();
  assert.match(probs, /\d/);
  // Dismiss forgets it: no offer on the next load.
  await page.reload();
  const again = page.locator('.restore-offer[data-slot="mlp"]');
  await again.waitFor({timeout: 20000});
  await again.getByRole('button', {name: 'Dismiss', exact: true}).click();
  // The copy is deleted from IndexedDB (reloading before that lands would bring the offer back).
  await waitForStored(page, 'mlp', (r) => r === null, 20000);
  await page.reload();
  await page.locator('[data-model="mlp"][data-digit]').waitFor({timeout: 20000});
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
  await notice.waitFor({timeout: 20000});
  assert.match(await notice.textContent(), /memory access out of bounds.*restarts with its last good weights/);
  await page.locator('.mlab-notices', {hasText: 'The CNN is running again.'}).waitFor({timeout: 30000});
  await drawAndRead(page, 4);
  const digit = await page.locator('[data-model="cnn"]').getAttribute('data-digit');
  assert.match(digit, /^\d$/);
  assert.match(await page.locator('[data-model="cnn"] .pred-meta').textContent(), /pretrained/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the reproduced results load when the results view is shown', async () => {
  const page = await openPage(site.context);
  const fetched = [];
  page.on('request', (r) => fetched.push(r.url()));
  await page.goto(site.url);
  await page.locator('[data-model="mlp"][data-digit]').waitFor({timeout: 20000});
  assert.equal(fetched.some((u) => u.endsWith('results.json')), false, 'not part of the first load');
  await page.locator('[data-section="reproduce"]').scrollIntoViewIfNeeded();
  const table = page.locator('[data-section="reproduce"] table');
  await table.waitFor({timeout: 20000});
  assert.match(await table.textContent(), /MLP 784-512-256-10/);
  // Each row names the article it reproduces by its title.
  assert.match(await table.locator('tbody tr', {hasText: 'TinyCNN'}).textContent(),
    /Daniel Gustaw, \u201cFrom MLP to CNN\. Neural Networks for MNIST Digit Recognition\u201d/);
  // One row per system in the shipped results, each marked as the file says.
  const shipped = JSON.parse(fs.readFileSync(new URL('../../web/public/results/results.json', import.meta.url), 'utf8'));
  const count = (f) => shipped.rows.filter(f).length;
  assert.equal(await table.locator('tbody tr').count(), shipped.rows.length);
  assert.equal(await table.locator('tr.missing', {hasText: 'not run yet'}).count(), count((r) => r.missing));
  assert.equal(await table.locator('tr.met', {hasText: '✓ met'}).count(), count((r) => !r.missing && r.met));
  assert.equal(await table.locator('tr.unmet', {hasText: 'not met'}).count(), count((r) => !r.missing && !r.met));
  assert.equal(await page.locator('[data-section="reproduce"] .repro-plots img').count(), 5);
  await page.locator('[data-section="reproduce"] .repro-plots img').first().scrollIntoViewIfNeeded();
  await page.waitForFunction(() => [...document.querySelectorAll('.repro-plots img')].some((i) => i.complete && i.naturalWidth > 0));
  assert.deepEqual(page.errors, []);
  await page.close();
});
