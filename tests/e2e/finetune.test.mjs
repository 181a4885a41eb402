// "Teach it your handwriting", as a user does it: a 1 written with a long flag, which the
// shipped networks read as a 7, is drawn a few times with "Correct digit" 1 and added to
// my digits (with a few ordinary 7s, so 7 stays 7); the digits survive a reload, go out as
// an IDX pair and come back in; a bad file is refused with a message and loses nothing;
// fine-tuning makes the networks read a new flagged 1 right while the CNN keeps >= 98.5% on
// MNIST; "Back to pretrained" brings the shipped answers back.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {LONG, drawStrokes, openPage, screenshotPath} from './support/browser.js';
import {DIGIT_STROKES} from './support/digits.js';
import {useSite} from './support/setup.js';
import {holdTraining, modelWorker, releaseTraining} from './support/worker.js';

const site = useSite();

/** A 1 with a long flag and no base (as many Europeans write it), moved by j. */
const flaggedOne = (j) => [
  [
    [0.28 + j, 0.44],
    [0.56, 0.18 + j],
    [0.56 - j, 0.82],
  ],
];
/** The helper's 7, moved by j. */
const seven = (j) => DIGIT_STROKES[7].map((s) => s.map(([x, y]) => [x + j, y - j]));

const TEACH = [-0.04, -0.02, 0, 0.02, 0.04];
const NEW = 0.03; // a flagged 1 the networks are not shown

/** Clears the pad, draws, and returns each network's answer once the pad has announced them. */
async function drawAndRead(page, strokes) {
  const live = page.locator('.drawpad ~ [aria-live], [aria-live="polite"][aria-atomic="true"]').first();
  await page.getByRole('button', {name: 'Clear', exact: true}).click();
  await page.waitForFunction((el) => el.textContent === 'Pad cleared.', await live.elementHandle());
  await drawStrokes(page, page.locator('canvas[aria-label="Drawing pad"]'), strokes);
  // The pad says both answers once the stroke has ended and the networks have read it.
  await page.waitForFunction((el) => /CNN says \d/.test(el.textContent), await live.elementHandle(), LONG);
  const text = await live.textContent();
  return {mlp: Number(/MLP says (\d)/.exec(text)?.[1]), cnn: Number(/CNN says (\d)/.exec(text)[1])};
}

async function addDigit(page, strokes, label) {
  const list = page.getByRole('list', {name: 'My digits'});
  const before = await list.locator('li').count();
  await drawAndRead(page, strokes);
  await page.getByLabel('Correct digit', {exact: true}).selectOption(String(label));
  await page.getByRole('button', {name: 'Add to my digits', exact: true}).click();
  await list.locator('li').nth(before).waitFor();
}

const labelsListed = (page) =>
  page
    .getByRole('list', {name: 'My digits'})
    .locator('li')
    .evaluateAll((lis) => lis.map((li) => Number(li.dataset.label)));

async function downloadBoth(page, dir) {
  const files = {};
  for (const which of ['images', 'labels']) {
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', {name: `Download ${which} (IDX)`, exact: true}).click(),
    ]);
    files[which] = path.join(dir, dl.suggestedFilename());
    await dl.saveAs(files[which]);
  }
  return files;
}

const status = (page) => page.locator('.mydigits [role="status"]');

test('teach the networks a flagged 1, keep the digits, fine-tune, and go back', {timeout: 900000}, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-lab-mydigits-'));
  const page = await openPage(site.context, `${site.url}index.html?view=drawpad`);
  await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);

  // The shipped networks read the flagged 1 as a 7.
  const before = await drawAndRead(page, flaggedOne(NEW));
  assert.equal(before.cnn, 7, `the shipped CNN reads the flagged 1 as a 7 (got ${before.cnn})`);

  for (const j of TEACH) await addDigit(page, flaggedOne(j), 1);
  for (const j of TEACH) await addDigit(page, seven(j), 7);
  assert.deepEqual(await labelsListed(page), [1, 1, 1, 1, 1, 7, 7, 7, 7, 7]);

  // They are kept in the browser.
  await page.reload();
  await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
  await page.getByRole('list', {name: 'My digits'}).locator('li').nth(9).waitFor();
  assert.deepEqual(await labelsListed(page), [1, 1, 1, 1, 1, 7, 7, 7, 7, 7]);

  // Out as an IDX pair (MNIST's header: magic, count, 28, 28), and back in.
  const first = await downloadBoth(page, dir);
  const images = fs.readFileSync(first.images);
  const labels = fs.readFileSync(first.labels);
  assert.equal(images.length, 16 + 10 * 784);
  assert.deepEqual([...images.subarray(0, 16)], [0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28]);
  assert.deepEqual([...labels], [0, 0, 8, 1, 0, 0, 0, 10, 1, 1, 1, 1, 1, 7, 7, 7, 7, 7]);
  const picker = page.getByLabel('IDX files of digits to load (images and labels)');

  // A bad pair: a message, and the digits as they were.
  const bad = path.join(dir, 'bad-images-idx3-ubyte');
  fs.writeFileSync(bad, images.subarray(0, 1000)); // cut short
  await picker.setInputFiles([bad, first.labels]);
  await status(page).filter({hasText: 'Could not read'}).waitFor();
  assert.match(await status(page).textContent(), /Your digits are unchanged/);
  assert.equal((await labelsListed(page)).length, 10);
  await picker.setInputFiles([first.images]);
  await status(page).filter({hasText: 'Choose both files'}).waitFor();
  assert.equal((await labelsListed(page)).length, 10);

  // Removed one by one, then loaded back from the files: the same digits, byte for byte.
  const list = page.getByRole('list', {name: 'My digits'});
  for (let n = 10; n > 0; n--) {
    await list.getByRole('button').first().click();
    await page.waitForFunction((k) => document.querySelectorAll('.mydigits-list li').length === k, n - 1);
  }
  await picker.setInputFiles([first.labels, first.images]); // in either order
  await list.locator('li').nth(9).waitFor();
  const again = await downloadBoth(page, fs.mkdtempSync(path.join(dir, 'again-')));
  assert.ok(fs.readFileSync(again.images).equals(images), 'the images come back byte for byte');
  assert.ok(fs.readFileSync(again.labels).equals(labels), 'the labels come back byte for byte');

  // Fine-tune both networks (MNIST downloads first, with progress).
  await page.getByRole('button', {name: 'Fine-tune on my digits', exact: true}).click();
  const accuracy = {};
  for (const m of ['mlp', 'cnn']) {
    const metric = page.locator(`[data-model="${m}"][data-metric="finetune-mnist-accuracy"]`);
    await metric.waitFor({timeout: 600000});
    const text = await metric.textContent();
    assert.match(text, /^\d{1,3}\.\d%$/);
    accuracy[m] = Number.parseFloat(text);
  }
  console.log(`after fine-tuning on 10 digits: MNIST test accuracy MLP ${accuracy.mlp}%, CNN ${accuracy.cnn}%`);
  assert.ok(accuracy.cnn >= 98.5, `the CNN still reads MNIST (${accuracy.cnn}%)`);
  assert.match(await page.locator('[data-model="cnn"][data-digit]').textContent(), /fine-tuned/i);

  const after = await drawAndRead(page, flaggedOne(NEW));
  assert.equal(after.cnn, 1, `the fine-tuned CNN reads a new flagged 1 (got ${after.cnn})`);
  const sevenAfter = await drawAndRead(page, seven(0.01));
  assert.equal(sevenAfter.cnn, 7, 'and still reads a 7 as a 7');
  await page.locator('.mlab-view-drawpad').screenshot({path: screenshotPath('finetune.png')});

  // Back to the shipped networks: the flagged 1 is a 7 again.
  await page.getByRole('button', {name: 'Back to pretrained', exact: true}).click();
  await page.locator('[data-metric="finetune-mnist-accuracy"]').first().waitFor({state: 'detached'});
  const back = await drawAndRead(page, flaggedOne(NEW));
  assert.deepEqual(back, before, 'the shipped answers are back');

  assert.deepEqual(page.errors, []);
  await page.close();
  fs.rmSync(dir, {recursive: true, force: true});
});

/** An IDX pair of n blank 28x28 images with a short bar in the middle, labelled 1. */
function idxPair(dir, n) {
  const images = Buffer.alloc(16 + n * 784);
  images.writeUInt32BE(0x803, 0);
  images.writeUInt32BE(n, 4);
  images.writeUInt32BE(28, 8);
  images.writeUInt32BE(28, 12);
  for (let i = 0; i < n; i++) for (let y = 6; y < 22; y++) images[16 + i * 784 + y * 28 + 14] = 255;
  const labels = Buffer.alloc(8 + n, 1);
  labels.writeUInt32BE(0x801, 0);
  labels.writeUInt32BE(n, 4);
  const files = [path.join(dir, 'mine-images.idx'), path.join(dir, 'mine-labels.idx')];
  fs.writeFileSync(files[0], images);
  fs.writeFileSync(files[1], labels);
  return files;
}

test('Train and the race wait while the networks fine-tune, and say why', {timeout: 900000}, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-lab-busy-'));
  const page = await openPage(site.context, `${site.url}index.html`);
  await page.locator('[data-model="mlp"][data-digit]').waitFor({timeout: 120000});
  await page.getByLabel('IDX files of digits to load (images and labels)').setInputFiles(idxPair(dir, 4));
  await page.getByRole('list', {name: 'My digits'}).locator('li').nth(3).waitFor();

  const train = page.locator('#train');
  const trainButton = train.getByRole('button', {name: 'Train', exact: true});
  await page.waitForFunction(() => !document.querySelector('#train button.btn-primary').disabled, null, LONG);
  // The MLP's fine-tune holds after 3 steps: meanwhile a training run would stop it.
  const held = holdTraining(await modelWorker(page, 'mlp'), 3);
  await page.getByRole('button', {name: 'Fine-tune on my digits', exact: true}).click();
  await held;
  assert.ok(await trainButton.isDisabled(), 'Train waits for the fine-tune');
  assert.ok(await train.getByRole('button', {name: 'Race MLP vs CNN'}).isDisabled(), 'and so does the race');
  assert.match(await train.locator('.train-busy').textContent(), /fine-tuning on your digits/);

  await releaseTraining(await modelWorker(page, 'mlp'));
  await page.locator('[data-model="mlp"][data-metric="finetune-mnist-accuracy"]').waitFor({timeout: 600000});
  await page.locator('[data-model="cnn"][data-metric="finetune-mnist-accuracy"]').waitFor({timeout: 600000});
  await page.waitForFunction(() => !document.querySelector('#train button.btn-primary').disabled);
  assert.ok(await train.locator('.train-busy').isHidden(), 'Train is free again, with no note');
  assert.deepEqual(page.errors, []);
  await page.close();
  fs.rmSync(dir, {recursive: true, force: true});
});
