// Average pooling and global average pooling in the page: a network that uses
// them loads into the CNN slot, and the Network and Convolution views draw and
// explain them from the layers' attributes (not as max pooling). The page never
// reads a layer's spec token: here every token it is handed says something else.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {loadCore} from '../wasm/support.mjs';
import {LONG, drawStrokes, openPage, screenshotPath} from './support/browser.js';
import {DIGIT_STROKES} from './support/digits.js';
import {useSite} from './support/setup.js';

const site = useSite();
const SPEC = 'conv(8,3,same)-relu-avgpool(2)-conv(16,3,same)-relu-gap-dense(10)';
// What each layer's `token` reads as, in every model info the page receives: a page that
// parsed tokens would draw 5×5 kernels, 32 filters, valid padding and max pooling by 3.
const DECOY = 'conv(32,5)-pool(3)-dropout(0.9)';

test('a CNN with avgpool and gap loads, predicts, and both views draw its poolings as averages', async () => {
  const core = await loadCore();
  core.createModel(SPEC, 3);
  const weights = Buffer.from(core.exportWeights(false));
  const page = await openPage(site.context);
  await page.addInitScript((decoy) => {
    const data = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data');
    Object.defineProperty(MessageEvent.prototype, 'data', {
      get() {
        const d = data.get.call(this);
        for (const l of d?.info?.layers ?? []) {
          l.token = decoy;
          window.decoyTokens = (window.decoyTokens || 0) + 1;
        }
        return d;
      },
    });
  }, DECOY);
  await page.goto(site.url);
  await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
  await page
    .locator('#weights input[type="file"]')
    .setInputFiles({name: 'gap.mlw', mimeType: 'application/octet-stream', buffer: weights});
  const msg = page.locator('#weights [role="alert"][aria-busy="false"]', {hasText: 'gap.mlw'});
  await msg.waitFor(LONG);
  assert.match(
    await msg.textContent(),
    new RegExp(`Loaded "gap\\.mlw" into the CNN: ${SPEC.replace(/[()]/g, '\\$&')}`),
  );
  await drawStrokes(page, page.locator('canvas[aria-label="Drawing pad"]'), DIGIT_STROKES[3]);
  await page.locator('[data-model="cnn"][data-digit]').waitFor();

  // The diagram names each pooling by what it computes, with its window.
  await page.locator('#network').scrollIntoViewIfNeeded();
  await page.locator('#network').getByRole('button', {name: 'CNN (convolutional)'}).click();
  // (The labels are drawn; the canvas's accessible name lists them.)
  const diagram = page.locator('#network canvas.net-canvas');
  await page.waitForFunction(() =>
    /global average pool/.test(document.querySelector('#network canvas.net-canvas').getAttribute('aria-label')),
  );
  assert.match(
    await diagram.getAttribute('aria-label'),
    /^Network diagram of the CNN \(Input → conv 3×3 \+ ReLU → average pool 2× → conv 3×3 \+ ReLU → global average pool → dense \+ softmax\), showing your drawing$/,
  );
  await page.locator('#network').screenshot({path: screenshotPath('network-gap-1280.png')});

  // The pooling card averages: its title, its sentence and the sum it shows.
  await page.locator('#conv').scrollIntoViewIfNeeded();
  const card = page.locator('#conv .pool-card');
  await card.locator('h3', {hasText: 'Average pooling, step by step'}).waitFor(LONG);
  await card.locator('.pool-line').waitFor();
  assert.match(await card.locator('.pool-line').textContent(), /^mean\((-?\d+\.\d\d, ){3}-?\d+\.\d\d\) = -?\d+\.\d\d$/);
  assert.match(await card.locator('figcaption').last().textContent(), /After 2×2 average pooling, 14×14/);
  await card.screenshot({path: screenshotPath('pool-average-1280.png')});

  // The walkthrough slides the CNN's own first-layer filters: 8 of them, 3×3, over the padded image.
  const conv = page.locator('#conv .conv-card');
  assert.equal(
    await conv.getByLabel('Kernel').locator('optgroup').first().getAttribute('label'),
    'Learned by the CNN (8 first-layer filters)',
  );
  assert.equal(await conv.getByLabel('Kernel').locator('optgroup').first().locator('option').count(), 8);
  assert.equal(await conv.locator('.conv-math .kcol').nth(1).locator('.kcell').count(), 9);
  assert.match(await conv.locator('.conv-math').textContent(), /of 28×28 · step/);
  // The decoys did reach the page: the imported model's layers all came with one.
  assert.ok((await page.evaluate(() => window.decoyTokens)) >= 7);
  assert.deepEqual(page.errors, []);
  await page.close();
});
