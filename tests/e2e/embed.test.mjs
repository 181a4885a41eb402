// Embedding: a page that includes only embed.js gets working <mnist-lab> elements,
// and the iframe URL shows a single view.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {drawStrokes, openPage, screenshotPath} from './support/browser.js';
import {DIGIT_STROKES} from './support/digits.js';
import {useSite} from './support/setup.js';

const site = useSite();

test('the embed example page: <mnist-lab view="drawpad"> predicts with both networks', async () => {
  const page = await openPage(site.context, `${site.url}embed-example.html`);
  const lab = page.locator('mnist-lab[view="drawpad"]');
  const pad = lab.locator('canvas[aria-label="Drawing pad"]');
  await lab.locator('[data-model="cnn"][data-digit]').waitFor({timeout: 20000});
  await lab.getByRole('button', {name: 'Clear', exact: true}).click();
  await drawStrokes(page, pad, DIGIT_STROKES[0]);
  await lab.locator('[data-model="mlp"][data-digit]').waitFor();
  await lab.locator('[data-model="cnn"][data-digit]').waitFor();
  assert.equal(await page.locator('mnist-lab[view="conv"] .conv-card').count(), 1, 'the conv view is there too');
  await page.screenshot({path: screenshotPath('embed-example.png'), fullPage: true});
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a page in another folder embeds with one script tag', async () => {
  // The element must find its workers, wasm and weights relative to embed.js, not to the page.
  const page = await openPage(site.context);
  await page.route('**/blog/post.html', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><meta charset="utf-8"><title>post</title><p>A post.</p>
     <mnist-lab view="drawpad"></mnist-lab>
     <script type="module" src="${site.url}embed.js"></script>`,
    }),
  );
  await page.goto(`${site.url}blog/post.html`);
  await page.locator('[data-model="cnn"][data-digit]').waitFor({timeout: 20000});
  await page.getByRole('button', {name: 'Clear', exact: true}).click();
  await drawStrokes(page, page.locator('canvas[aria-label="Drawing pad"]'), DIGIT_STROKES[7]);
  await page.locator('[data-model="cnn"][data-digit]').waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the iframe URL index.html?view=drawpad shows the drawing pad alone', async () => {
  const page = await openPage(site.context, null, {width: 800, height: 700});
  await page.goto(`${site.url}index.html?view=drawpad`);
  await page.locator('[data-model="cnn"][data-digit]').waitFor({timeout: 20000});
  assert.equal(await page.locator('.hero').count(), 0, 'no article around it');
  assert.equal(await page.locator('[data-view="train"]').count(), 0);
  await page.getByRole('button', {name: 'Clear', exact: true}).click();
  await drawStrokes(page, page.locator('canvas[aria-label="Drawing pad"]'), DIGIT_STROKES[2]);
  await page.locator('[data-model="mlp"][data-digit]').waitFor();
  await page.screenshot({path: screenshotPath('iframe-drawpad.png')});
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a blog on another origin embeds from a CORS-enabled host (workers start through a blob: trampoline)', async () => {
  const cdn = site.url; // http://127.0.0.1:PORT/
  const blog = `${site.url.replace('127.0.0.1', 'localhost')}blog/cross.html`;
  const page = await openPage(site.context);
  // A host that allows CORS, as GitHub Pages does; module scripts from another origin need it.
  await page.route(`${cdn}**`, async (route) => {
    const res = await route.fetch();
    await route.fulfill({response: res, headers: {...res.headers(), 'access-control-allow-origin': '*'}});
  });
  await page.route(blog, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>post</title>
     <mnist-lab view="drawpad"></mnist-lab><script type="module" src="${cdn}embed.js"></script>`,
    }),
  );
  await page.goto(blog);
  await page.locator('[data-model="cnn"][data-digit]').waitFor({timeout: 20000});
  await page.getByRole('button', {name: 'Clear', exact: true}).click();
  await drawStrokes(page, page.locator('canvas[aria-label="Drawing pad"]'), DIGIT_STROKES[1]);
  await page.locator('[data-model="mlp"][data-digit]').waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});
