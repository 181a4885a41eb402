// Embedding: a page that includes only embed.js gets working <mnist-lab> elements, from
// its own origin or another, with CORS headers or without (then in an iframe); the iframe
// URL shows a single view, and tells the page its height.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import {test} from 'node:test';
import {LONG, drawStrokes, openPage, screenshotPath, settled} from './support/browser.js';
import {DIGIT_STROKES} from './support/digits.js';
import {useSite} from './support/setup.js';

const site = useSite();

test('the embed example page: <mnist-lab view="drawpad"> predicts with both networks', async () => {
  const page = await openPage(site.context, `${site.url}embed-example.html`);
  const lab = page.locator('mnist-lab[view="drawpad"]');
  const pad = lab.locator('canvas[aria-label="Drawing pad"]');
  await lab.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
  await lab.getByRole('button', {name: 'Clear', exact: true}).click();
  await drawStrokes(page, pad, DIGIT_STROKES[0]);
  await lab.locator('[data-model="mlp"][data-digit]').waitFor();
  await lab.locator('[data-model="cnn"][data-digit]').waitFor();
  assert.equal(await page.locator('mnist-lab[view="conv"] .conv-card').count(), 1, 'the conv view is there too');
  await page.screenshot({path: screenshotPath('embed-example.png'), fullPage: true});
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a page in another folder embeds with one script tag (also as a module, as the tag was once written)', async () => {
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
  await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
  await page.getByRole('button', {name: 'Clear', exact: true}).click();
  await drawStrokes(page, page.locator('canvas[aria-label="Drawing pad"]'), DIGIT_STROKES[7]);
  await page.locator('[data-model="cnn"][data-digit]').waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('an embedded train view trains, and its charts draw: the chart library comes lazily from beside embed.js', async () => {
  // uPlot is imported with the first chart that has a point (views/train/charts.js): relative
  // to the page's scripts, which for an embed are not the page's folder.
  const page = await openPage(site.context);
  await page.route('**/blog/train.html', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><meta charset="utf-8"><title>post</title><p>Train one here.</p>
     <mnist-lab view="train"></mnist-lab>
     <script src="${site.url}embed.js"></script>`,
    }),
  );
  const requested = [];
  page.on('request', (req) => requested.push(new URL(req.url()).pathname));
  await page.goto(`${site.url}blog/train.html`);
  const lab = page.locator('mnist-lab[view="train"]');
  await lab.getByRole('button', {name: 'Train', exact: true}).waitFor(LONG);
  assert.ok(!requested.some((u) => /uPlot/.test(u)), 'no chart library before a chart has a point');
  await lab.getByLabel('Epochs', {exact: true}).fill('1');
  await lab.getByLabel('Training digits', {exact: true}).selectOption('5000');
  await lab.getByRole('button', {name: 'Train', exact: true}).click();
  await page.waitForFunction(
    () => /%$/.test(document.querySelector('mnist-lab [data-metric="test-accuracy"]')?.textContent ?? ''),
    null,
    {timeout: 90000},
  );
  // uPlot drew both charts (its legend names the run's series) from the assets folder beside embed.js.
  await lab.locator('.u-legend').nth(1).waitFor(LONG);
  assert.match(await lab.locator('.u-legend').first().textContent(), /MLP train/);
  assert.ok(
    requested.some((u) => /^\/assets\/uPlot[^/]*\.js$/.test(u)),
    `uPlot fetched from /assets/ (got ${requested.filter((u) => /uPlot/.test(u)).join(', ')})`,
  );
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the iframe URL index.html?view=drawpad shows the drawing pad alone', async () => {
  const page = await openPage(site.context, null, {width: 800, height: 700});
  await page.goto(`${site.url}index.html?view=drawpad`);
  await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
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
     <mnist-lab view="drawpad"></mnist-lab><script src="${cdn}embed.js" async></script>`,
    }),
  );
  await page.goto(blog);
  await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
  await page.getByRole('button', {name: 'Clear', exact: true}).click();
  await drawStrokes(page, page.locator('canvas[aria-label="Drawing pad"]'), DIGIT_STROKES[1]);
  await page.locator('[data-model="mlp"][data-digit]').waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});

/**
 * A blog on another origin (another port) that serves `html` at every path, as a real
 * server: a page Playwright fulfils itself counts as a public one, which Chromium lets
 * load nothing from 127.0.0.1, and Playwright's fulfilled responses skip the CORS check.
 */
async function blogServer(html) {
  const server = http.createServer((_req, res) => res.writeHead(200, {'content-type': 'text/html'}).end(html));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {url: `http://127.0.0.1:${server.address().port}/post.html`, close: () => server.close()};
}

/** Chromium's console line for a module refused for want of CORS headers (expected where the host sends none). */
const corsRefusal = (e) => /CORS policy|Failed to load resource|net::ERR_FAILED/.test(e);

/** Waits until the iframe shows all of its page and no more: nothing to scroll inside, no empty space below. */
async function fitsContent(frame) {
  const fits = await frame.waitForFunction(
    () => {
      const content = Math.ceil(document.body.getBoundingClientRect().height);
      return (
        document.documentElement.scrollHeight <= innerHeight && Math.abs(innerHeight - content) <= 1 && innerHeight
      );
    },
    null,
    {...LONG, polling: 100},
  );
  return fits.jsonValue(); // the height that fitted, from the same look, not a later one
}

test('a blog on another origin embeds from a host without CORS: the element shows its view in an iframe as tall as the view', async () => {
  // site.url is a plain static server: no Access-Control-Allow-Origin.
  const blog = await blogServer(`<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>post</title>
     <p>A post.</p><mnist-lab view="drawpad"></mnist-lab><p>The end.</p><script src="${site.url}embed.js" async></script>`);
  const page = await openPage(site.context, blog.url, {width: 900, height: 800});
  const frameEl = page.locator('mnist-lab iframe');
  await frameEl.waitFor(LONG);
  const frame = await (await frameEl.elementHandle()).contentFrame();
  await frame.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
  await frame.getByRole('button', {name: 'Clear', exact: true}).click();
  await drawStrokes(page, frame.locator('canvas[aria-label="Drawing pad"]'), DIGIT_STROKES[3]);
  // Both answers to the whole 3 first (aria-busy lasts until the last drawing is answered): a later
  // answer can show or hide the "not a digit" cue, and the frame's height follows it a moment after.
  await settled(frame);
  const height = await fitsContent(frame);
  assert.ok(height > 300, `the frame is ${height} px tall`);
  assert.equal(Math.round((await frameEl.boundingBox()).height), height, 'the frame is as tall as its page');
  await page.screenshot({path: screenshotPath('embed-no-cors.png'), fullPage: true});
  assert.deepEqual(
    page.errors.filter((e) => !corsRefusal(e)),
    [],
  );
  await page.close();
  blog.close();
});

test('where the page forbids both the module and the frame, the element says why and names the fixes', async () => {
  const blog = await blogServer(`<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>post</title>
     <meta http-equiv="Content-Security-Policy" content="script-src ${site.url}; frame-src 'none'">
     <mnist-lab view="conv"></mnist-lab><script src="${site.url}embed.js" async></script>`);
  const page = await openPage(site.context, blog.url);
  const alert = page.locator('mnist-lab [role="alert"]');
  await alert.waitFor(LONG);
  const text = await alert.textContent();
  assert.match(text, /Access-Control-Allow-Origin/);
  assert.match(text, /frame-src/);
  assert.ok((await alert.boundingBox()).height > 20, 'the message is visible');
  await page.close();
  blog.close();
});

test("the README's iframe lines make the iframe as tall as the view, and follow it when it changes", async () => {
  const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const snippet = [...readme.matchAll(/```html\n([\s\S]*?)```/g)].map((m) => m[1]).find((s) => s.includes('<iframe'));
  assert.ok(snippet?.includes('mnist-lab:height'), 'the README shows the iframe with its height script');
  const blog = await blogServer(`<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>post</title>
     <body style="margin: 0"><main style="max-width: 720px">${snippet.replaceAll('https://your.host/mnist-lab/', site.url)}</main></body>`);
  const page = await openPage(site.context, blog.url, {width: 1000, height: 800});
  const frame = await (await page.locator('iframe').elementHandle()).contentFrame();
  await frame.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
  const wide = await fitsContent(frame);
  // A narrower column stacks the view: it grows taller, and so does the iframe.
  await page.setViewportSize({width: 390, height: 800});
  await frame.waitForFunction((was) => innerHeight > was, wide, LONG);
  const narrow = await fitsContent(frame);
  assert.ok(narrow > wide, `the view is ${wide} px tall in 720 px and ${narrow} px in 390 px`);
  await page.screenshot({path: screenshotPath('iframe-height.png'), fullPage: true});
  assert.deepEqual(page.errors, []);
  await page.close();
  blog.close();
});
