// The page loads cleanly and fast, exposes the public contract elements, and both
// networks predict a digit drawn with real mouse events.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {LONG, drawStrokes, openPage, screenshotPath, settled} from './support/browser.js';
import {DIGIT_STROKES} from './support/digits.js';
import {useSite} from './support/setup.js';

const site = useSite();

test('first load: no console errors, no dataset, at most 2.5 MB, contract elements present', async () => {
  const page = await openPage(site.context);
  let bytes = 0;
  const urls = [];
  const sizes = [];
  page.on('response', (res) => {
    // Our server always sends content-length, and never compresses: these are the real sizes.
    const n = Number(res.headers()['content-length'] || 0);
    urls.push(res.url());
    sizes.push(`${res.url().split('/').pop()} ${n}`);
    bytes += n;
  });
  await page.goto(site.url);
  // The example digit is predicted as soon as both networks have their shipped weights.
  await page.locator('[data-model="mlp"][data-digit]').waitFor(LONG);
  await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
  await page.waitForLoadState('networkidle');
  assert.deepEqual(page.errors, []);
  assert.ok(!urls.some((u) => u.endsWith('.gz')), 'the dataset is not fetched at start');
  assert.ok(
    urls.some((u) => u.endsWith('mlp.mlw')) && urls.some((u) => u.endsWith('cnn.mlw')),
    'shipped weights loaded',
  );
  const summary = `${(bytes / 1e6).toFixed(3)} MB in ${urls.length} requests: ${sizes.join(', ')}`;
  assert.ok(bytes <= 2.5e6, `first load is ${bytes} bytes: ${summary}`);
  console.log(`first load: ${summary}`);

  assert.equal(await page.locator('canvas[aria-label="Drawing pad"]').count(), 1);
  assert.equal(await page.getByRole('button', {name: 'Clear', exact: true}).count(), 1);
  assert.equal(await page.getByRole('button', {name: 'Train', exact: true}).count(), 1);
  assert.equal(await page.getByLabel('Model', {exact: true}).count(), 1);
  assert.equal(await page.getByLabel('Epochs', {exact: true}).getAttribute('type'), 'number');
  assert.equal(await page.locator('[data-metric="test-accuracy"]').count(), 1);
  assert.equal(await page.locator('[data-metric="samples-per-second"]').count(), 1);
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea, button')]
      .filter(
        (el) =>
          !(
            el.labels?.length ||
            el.getAttribute('aria-label') ||
            el.getAttribute('aria-labelledby') ||
            (el.tagName === 'BUTTON' && el.textContent.trim())
          ),
      )
      .map((el) => el.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unlabelled, [], 'every control has a name');
  const options = await page.getByLabel('Model', {exact: true}).locator('option').allTextContents();
  for (const name of [
    'mlp',
    'mlp-128',
    'mlp-32',
    'linear',
    'cnn',
    'tiny-cnn',
    'small-cnn',
    'strong-cnn',
    'lenet5',
    'wide-cnn',
    'fast',
    'custom',
  ]) {
    assert.ok(
      options.some((o) => o.startsWith(name)),
      `Model offers ${name}`,
    );
  }
  await page.close();
});

test('a digit drawn with the mouse gets predictions from both networks, with all ten probabilities', async () => {
  const page = await openPage(site.context, site.url);
  await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
  await page.getByRole('button', {name: 'Clear', exact: true}).click();
  assert.equal(
    await page.locator('[data-model="mlp"]').getAttribute('data-digit'),
    null,
    'Clear resets the prediction',
  );
  const pad = page.locator('canvas[aria-label="Drawing pad"]');
  await drawStrokes(page, pad, DIGIT_STROKES[7]);
  // Both answers to the whole 7: a panel shows a data-digit from the stroke's first predictions
  // on, and is busy (aria-busy) until its model has answered the stroke's last drawing.
  await settled(page);
  for (const model of ['mlp', 'cnn']) {
    const el = page.locator(`[data-model="${model}"]`);
    assert.match(await el.getAttribute('data-digit'), /^\d$/);
    const values = await el.locator('.bars .v').allTextContents();
    assert.equal(values.length, 10);
    assert.ok(
      values.every((v) => /%$/.test(v)),
      `ten probabilities shown for ${model}`,
    );
  }
  assert.equal(await page.locator('[data-model="cnn"]').getAttribute('data-digit'), '7');
  await page.locator('#draw').screenshot({path: screenshotPath('drawpad-1280.png')});
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('responsive: the page fits 375 px and the pad works with touch-sized layout', async () => {
  const page = await openPage(site.context, null, {width: 375, height: 812});
  await page.goto(site.url);
  await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling (overflow ${overflow}px)`);
  const pad = page.locator('canvas[aria-label="Drawing pad"]');
  await pad.scrollIntoViewIfNeeded();
  await drawStrokes(page, pad, DIGIT_STROKES[1]);
  await page.locator('[data-model="mlp"][data-digit]').waitFor();
  await page.screenshot({path: screenshotPath('page-375.png'), fullPage: true});
  await page.setViewportSize({width: 1280, height: 900});
  await page.screenshot({path: screenshotPath('page-1280.png'), fullPage: true});
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the custom layer spec is validated as you type', async () => {
  const page = await openPage(site.context, `${site.url}index.html?view=train`);
  const model = page.getByLabel('Model', {exact: true});
  await model.locator('option[value="custom"]').waitFor({state: 'attached', ...LONG});
  await model.selectOption('custom');
  const spec = page.getByLabel('Layer spec');
  await spec.fill('conv(8,3)-relu-pool(2)-flaten-dense(10)');
  await page.locator('.spec-check.error').waitFor();
  assert.match(await page.locator('.spec-check').textContent(), /unknown layer 'flaten'/);
  assert.equal(await page.getByRole('button', {name: 'Train', exact: true}).isDisabled(), true);
  await spec.fill('conv(8,3)-relu-pool(2)-flatten-dense(10)');
  await page.locator('.spec-check.ok').waitFor();
  assert.match(await page.locator('.spec-check').textContent(), /13,610 parameters · trains in the CNN's place/);
  assert.equal(await page.getByRole('button', {name: 'Train', exact: true}).isEnabled(), true);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('drawing after drawing, the CNN feature maps show each digit’s own activations', async () => {
  // Tall enough that the pad and the feature maps are on screen together: the maps
  // ask for activations only while visible. The worker refills the buffer of the
  // prediction before last (lab.js Slot.spare), so this checks that no prediction's
  // maps are overwritten or lost along the way.
  const page = await openPage(site.context, site.url, {width: 1280, height: 8000});
  await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
  const pad = page.locator('canvas[aria-label="Drawing pad"]');
  const draw = async (digit) => {
    await page.getByRole('button', {name: 'Clear', exact: true}).click();
    await drawStrokes(page, pad, DIGIT_STROKES[digit]);
    // The CNN's panel idle: its prediction of the whole digit is in, and the maps' redraw for it
    // is set (a timer of at most 180 ms, conv.js MAPS_MS) or done.
    await settled(page, ['cnn']);
    // A timer set later with a longer delay runs after that one (the HTML timer order), however
    // slow the machine: the maps read then are those of the last prediction.
    return page.evaluate(async () => {
      await new Promise((later) => setTimeout(later, 250));
      return [...document.querySelectorAll('#conv canvas.px')].map((c) => c.toDataURL()).join('|');
    });
  };
  const seven = await draw(7);
  assert.ok(seven.length > 0 && (await page.locator('#conv canvas.px').count()) > 0, 'feature maps drawn');
  const three = await draw(3);
  assert.notEqual(three, seven, 'a different digit, different maps');
  assert.equal(await draw(7), seven, 'the 7 again shows the same maps as the first time');
  assert.equal(await draw(3), three, 'and the 3 again too');
  assert.equal(await page.locator('[data-model="cnn"]').getAttribute('data-digit'), '3');
  assert.deepEqual(page.errors, []);
  await page.close();
});
