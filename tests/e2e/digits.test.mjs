// Hand-drawn digits 0-9 (mouse strokes) through the shipped weights: prints how
// many each network gets right; the CNN must get most of them.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {LONG, drawStrokes, openPage, screenshotPath, settled} from './support/browser.js';
import {DIGIT_STROKES} from './support/digits.js';
import {useSite} from './support/setup.js';

const site = useSite();

test('the shipped networks read digits drawn with the mouse', async () => {
  // The drawing pad alone (the iframe view): the same networks, less page to repaint.
  const page = await openPage(site.context, `${site.url}index.html?view=drawpad`);
  await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
  const pad = page.locator('canvas[aria-label="Drawing pad"]');
  const right = {mlp: 0, cnn: 0};
  const seen = [];
  for (let d = 0; d <= 9; d++) {
    await page.getByRole('button', {name: 'Clear', exact: true}).click();
    await drawStrokes(page, pad, DIGIT_STROKES[d]);
    // Both answers to the whole digit: a panel is busy (aria-busy) until its model has read the last drawing.
    await settled(page);
    const got = {};
    for (const m of ['mlp', 'cnn']) {
      got[m] = Number(await page.locator(`[data-model="${m}"]`).getAttribute('data-digit'));
      if (got[m] === d) right[m]++;
    }
    seen.push(`${d}: mlp ${got.mlp} cnn ${got.cnn}`);
    if (d === 8) await page.locator('.drawpad').screenshot({path: screenshotPath('digit-8.png')});
  }
  console.log(`hand-drawn digits: ${seen.join(' | ')}`);
  console.log(`right: MLP ${right.mlp}/10, CNN ${right.cnn}/10`);
  assert.ok(right.cnn >= 8, `the CNN reads at least 8 of 10 (got ${right.cnn})`);
  assert.deepEqual(page.errors, []);
  await page.close();
});
