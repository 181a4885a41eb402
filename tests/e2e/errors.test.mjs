// Failures are clear messages, never hangs, and never cost the current models.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {LONG, drawStrokes, openPage} from './support/browser.js';
import {DIGIT_STROKES} from './support/digits.js';
import {distDir} from './support/server.js';
import {useSite} from './support/setup.js';

const site = useSite();

test('a failed dataset download shows a clear message and the page keeps working', async () => {
  const page = await openPage(site.context);
  await page.route('**/*.gz', (route) => route.abort());
  await page.goto(site.url);
  await page.locator('[data-model="mlp"][data-digit]').waitFor(LONG);
  await page.getByLabel('Model', {exact: true}).selectOption('mlp');
  await page.getByRole('button', {name: 'Train', exact: true}).click();
  const alert = page.locator('#train [role="alert"]');
  await alert.waitFor({state: 'visible', ...LONG});
  assert.match(await alert.textContent(), /Could not download the MNIST file .*ubyte\.gz: the network request failed/);
  assert.equal(
    await page.getByRole('button', {name: 'Train', exact: true}).isEnabled(),
    true,
    'Train can be pressed again',
  );
  // The results view says so too, and the shipped networks still predict.
  await page.getByRole('button', {name: 'Evaluate on the 10,000 test digits'}).click();
  await page.locator('#results .status-line.error').waitFor(LONG);
  assert.match(await page.locator('#results .status-line.error').textContent(), /Could not download/);
  await page.getByRole('button', {name: 'Clear', exact: true}).click();
  await drawStrokes(page, page.locator('canvas[aria-label="Drawing pad"]'), DIGIT_STROKES[4]);
  await page.locator('[data-model="cnn"][data-digit]').waitFor();
  // Failed fetches log network errors in the console; nothing else may.
  assert.deepEqual(
    page.errors.filter((e) => !/Failed to load resource|net::ERR_FAILED/.test(e)),
    [],
  );
  await page.close();
});

test('a corrupt weights file gives a clear message and keeps both networks', async () => {
  const page = await openPage(site.context, site.url);
  await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
  await page.locator('[data-model="mlp"][data-digit]').waitFor(LONG);
  const before = await page.locator('[data-model="mlp"] .pred-meta').textContent();
  const input = page.locator('#weights input[type="file"]');
  // The outcome of loading `file`: the message naming it once the page is no longer busy
  // ("Reading <file>…" names it too, and lasts as long as the worker takes under load).
  const settled = async (file) => {
    const msg = page.locator('#weights [role="alert"][aria-busy="false"]', {hasText: file});
    await msg.waitFor(LONG);
    return msg.textContent();
  };
  // Garbage, then a real header with a broken body (a truncated copy of the shipped CNN file).
  await input.setInputFiles({
    name: 'garbage.mlw',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from('this is not a weights file at all'),
  });
  assert.match(await settled('garbage.mlw'), /Could not load "garbage\.mlw": .+\. The current models are unchanged\./);
  const real = fs.readFileSync(path.join(distDir, 'weights/cnn.mlw'));
  const truncated = real.subarray(0, 5000);
  await input.setInputFiles({name: 'truncated.mlw', mimeType: 'application/octet-stream', buffer: truncated});
  assert.match(await settled('truncated.mlw'), /Could not load "truncated\.mlw"/);
  // A file larger than any weights file the engine reads (a video picked by mistake) is refused
  // unread, with the engine's own limit (a sparse file: nothing is written or sent).
  const big = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-lab-big-')), 'holiday.mp4');
  fs.writeFileSync(big, '');
  fs.truncateSync(big, 2 ** 30);
  await input.setInputFiles(big);
  assert.match(
    await settled('holiday.mp4'),
    /^"holiday\.mp4" is 1,074 MB: too big to be a weights file \(the engine reads up to [1-9][\d,]* MB\)\. The current models are unchanged\.$/,
  );
  fs.rmSync(path.dirname(big), {recursive: true});
  assert.equal(await page.locator('[data-model="mlp"] .pred-meta').textContent(), before);
  await page.getByRole('button', {name: 'Clear', exact: true}).click();
  await drawStrokes(page, page.locator('canvas[aria-label="Drawing pad"]'), DIGIT_STROKES[3]);
  await page.locator('[data-model="mlp"][data-digit]').waitFor();
  await page.locator('[data-model="cnn"][data-digit]').waitFor();
  // And a good file loads (the shipped one, back into the CNN).
  await input.setInputFiles({name: 'cnn-copy.mlw', mimeType: 'application/octet-stream', buffer: real});
  assert.match(await settled('cnn-copy.mlw'), /Loaded "cnn-copy\.mlw" into the CNN/);
  // Each network's "Back to pretrained" is there for a model of the user's only, as the pad's is.
  const back = (slot) => page.getByRole('button', {name: `Back to pretrained ${slot}`});
  await page.waitForFunction(() => !document.querySelector('#weights .w-cnn .btn-ghost').disabled);
  assert.equal(await back('MLP').isDisabled(), true, 'the MLP is still the pretrained one');
  // Download the MLP's weights and load the file back: it goes to the MLP.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', {name: 'Download MLP weights'}).click(),
  ]);
  const saved = fs.readFileSync(await download.path());
  assert.equal(saved.subarray(0, 8).toString(), 'MNLABW01');
  await input.setInputFiles({name: download.suggestedFilename(), mimeType: 'application/octet-stream', buffer: saved});
  assert.match(await settled(download.suggestedFilename()), /into the MLP/);
  assert.match(await page.locator('[data-model="mlp"] .pred-meta').textContent(), /loaded from file/);
  await back('MLP').click();
  await page.waitForFunction(
    () => !/loaded from file/.test(document.querySelector('[data-model="mlp"] .pred-meta').textContent),
  );
  assert.match(await page.locator('#weights .w-mlp').textContent(), /pretrained weights/);
  await page.waitForFunction(() => document.querySelector('#weights .w-mlp .btn-ghost').disabled);
  assert.equal(await back('CNN').isDisabled(), false, "the CNN's file is still there to go back from");
  assert.deepEqual(page.errors, []);
  await page.close();
});
