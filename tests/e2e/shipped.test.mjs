// The Results view on first view: the shipped results file's analysis of the pretrained
// models, before anything is evaluated in the page; Evaluate then measures the models in it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {LONG, openPage} from './support/browser.js';
import {distDir} from './support/server.js';
import {useSite} from './support/setup.js';

const site = useSite();

test('Results show the shipped analysis at once, and Evaluate measures the models in the page', async () => {
  const shipped = JSON.parse(fs.readFileSync(path.join(distDir, 'results/results.json'), 'utf8'));
  const {errors} = shipped.analysis;
  const page = await openPage(site.context, site.url);
  const results = page.locator('#results');
  await results.scrollIntoViewIfNeeded();
  // The headline and both matrices, from the file: the CNN corrects that many of the MLP's errors.
  await results
    .locator('.headline .big', {hasText: `The CNN corrects ${errors.cnn_corrects} of the MLP’s ${errors.mlp} errors.`})
    .waitFor(LONG);
  assert.equal(await results.getByText('Not evaluated yet').count(), 0);
  assert.ok((await results.locator('table.confusion-mlp td button').count()) > 0, 'the MLP matrix has cells');
  const mlpRow = shipped.rows.find((r) => r.id === 'mlp');
  const table = await results.locator('table.compare tbody tr').first().textContent();
  assert.ok(table.includes(`${mlpRow.test_accuracy.toFixed(2)}%`), `the file's accuracy in the table (${table})`);
  const source = results.locator('.results-source');
  assert.match(await source.textContent(), /come with the page/);
  assert.equal(
    await page.evaluate(() => performance.getEntriesByType('resource').some((r) => /t10k-images/.test(r.name))),
    false,
    'nothing was evaluated: the test digits were not downloaded',
  );

  // Evaluate measures the models in this page: the note goes, and the gallery has each digit's answers.
  await page.getByRole('button', {name: 'Evaluate on the 10,000 test digits'}).click();
  await source.waitFor({state: 'hidden', timeout: 90000});
  await results.locator('.g-tile').first().waitFor(LONG);
  const headline = await results.locator('.headline .big').textContent();
  assert.match(headline, /The CNN corrects \d+ of the MLP’s \d+ errors/);
  assert.deepEqual(page.errors, []);
  await page.close();
});
