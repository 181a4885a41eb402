// The Train form says what is wrong at the field that is wrong, from the fields and
// from the URL alike, never runs anything but what it shows, and unknown view names
// (URL or <mnist-lab view>) get a message that names the real ones.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {loadCore} from '../wasm/support.mjs';
import {LONG, openPage, screenshotPath} from './support/browser.js';
import {useSite} from './support/setup.js';

const site = useSite();

/** The field's state as a user of a screen reader gets it: {invalid, message}. */
async function fieldState(page, label) {
  const control = page.getByLabel(label, {exact: true});
  const invalid = (await control.getAttribute('aria-invalid')) === 'true';
  const ids = (await control.getAttribute('aria-describedby')) || '';
  const message = (
    await Promise.all(
      ids
        .split(/\s+/)
        .filter(Boolean)
        .map((id) => page.locator(`[id="${id}"]`).textContent()),
    )
  )
    .join(' ')
    .trim();
  return {invalid, message};
}

const trainButton = (page) => page.getByRole('button', {name: 'Train', exact: true});
const raceButton = (page) => page.getByRole('button', {name: 'Race MLP vs CNN'});

/** The train view alone, once the engine has listed its presets. */
async function openTrain(url) {
  const page = await openPage(site.context, url);
  await page
    .getByLabel('Model', {exact: true})
    .locator('option[value="custom"]')
    .waitFor({state: 'attached', ...LONG});
  await trainButton(page).waitFor();
  return page;
}

test('a bad value is flagged at its own field, and Train waits until it is fixed', async () => {
  const page = await openTrain(`${site.url}index.html?view=train`);
  await page.waitForFunction(() => !document.querySelector('button.btn-primary').disabled);
  const cases = [
    ['Epochs', ['0', '-3', '1000', '2.5', '1e400'], /^Epochs must be a whole number from 1 to 100\.$/, '2'],
    [
      'Learning rate',
      ['0', '-1', '1e9', '1e-300', ''],
      /^The learning rate must be a number from 0\.000001 to 10\.$/,
      '0.01',
    ],
  ];
  for (const [label, bad, message, good] of cases) {
    for (const value of bad) {
      await page.getByLabel(label, {exact: true}).fill(value);
      const state = await fieldState(page, label);
      assert.equal(state.invalid, true, `${label} ${value} is marked invalid`);
      assert.match(state.message, message, `${label} ${value}`);
      assert.equal(await trainButton(page).isDisabled(), true, `Train waits while ${label} is ${value}`);
      assert.equal(await raceButton(page).isDisabled(), true, `the race waits while ${label} is ${value}`);
      assert.match(await page.locator('.train-summary').textContent(), /^Fix the field marked in red to train\.$/);
    }
    await page.getByLabel(label, {exact: true}).fill(good);
    assert.deepEqual(await fieldState(page, label), {invalid: false, message: ''}, `${label} ${good} is fine`);
  }
  // Two at once: both fields say so, and the summary counts them.
  await page.getByLabel('Epochs', {exact: true}).fill('0');
  await page.getByLabel('Learning rate', {exact: true}).fill('0');
  assert.equal(await page.locator('.train-summary').textContent(), 'Fix the 2 fields marked in red to train.');
  await page.screenshot({path: screenshotPath('train-form-invalid.png'), fullPage: true});
  await page.getByLabel('Epochs', {exact: true}).fill('2');
  await page.getByLabel('Learning rate', {exact: true}).fill('0.01');
  assert.equal(await trainButton(page).isEnabled(), true);
  // The form says what Train will run, with the numbers as they are.
  assert.equal(
    await page.locator('.train-summary').textContent(),
    "Train runs mlp (535,818 parameters) in the MLP's place: 2 epochs of 60,000 digits in batches of 64, Adam at 0.01 with a one-cycle schedule, no augmentation, seed 1.",
  );
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('URL values out of range are shown at their field, naming the parameter, and never run', async () => {
  const query =
    'epochs=2.5&batch=100000&subset=7&lr=1e9&optimizer=rmsprop&schedule=sometimes&augment=maybe&eval_every=3000&until=101';
  const page = await openTrain(`${site.url}?${query}`);
  const expect = {
    Epochs: ['2.5', /^The link's \?epochs=2\.5 is not used\. Epochs must be a whole number from 1 to 100\.$/],
    'Batch size': [
      '100000',
      /^The link's \?batch=100000 is not used\. The batch size must be 16, 32, 64, 128 or 256\.$/,
    ],
    'Training digits': [
      '7',
      /^The link's \?subset=7 is not used\. Training digits must be a whole number from 1,000 to 60,000\.$/,
    ],
    'Learning rate': [
      '1e9',
      /^The link's \?lr=1e9 is not used\. The learning rate must be a number from 0\.000001 to 10\.$/,
    ],
    Optimizer: ['rmsprop', /^The link's \?optimizer=rmsprop is not used\. The optimizer must be adam or sgd\.$/],
    Schedule: [
      'sometimes',
      /\?schedule=sometimes is not used\. The schedule must be cosine, constant, step or onecycle\.$/,
    ],
    'Test every': [
      '3000',
      /^The link's \?eval_every=3000 is not used\. The test interval must be 0, 2000, 5000, 10000 or 20000\.$/,
    ],
    'Stop at accuracy (%)': [
      '101',
      /^The link's \?until=101 is not used\. The target accuracy must be a percentage from 0 to 100 \(0: train to the end\)\.$/,
    ],
  };
  for (const [label, [value, message]] of Object.entries(expect)) {
    assert.equal(await page.getByLabel(label, {exact: true}).inputValue(), value, `${label} shows the link's value`);
    const state = await fieldState(page, label);
    assert.equal(state.invalid, true, `${label} is marked invalid`);
    assert.match(state.message, message);
  }
  const augment = await fieldState(page, 'Augmentation (random shifts and rotations)');
  assert.equal(augment.invalid, true);
  assert.match(augment.message, /\?augment=maybe is not used\. Augmentation is 1 \(on\) or 0 \(off\)\./);
  assert.equal(await trainButton(page).isDisabled(), true);
  assert.equal(await page.locator('.train-summary').textContent(), 'Fix the 9 fields marked in red to train.');
  await page.locator('#train').screenshot({path: screenshotPath('train-form-url.png')});

  // Fixing a field clears its message and takes the value into the URL; the others stay as they were.
  await page.getByLabel('Batch size', {exact: true}).selectOption('128');
  assert.deepEqual(await fieldState(page, 'Batch size'), {invalid: false, message: ''});
  const q = new URLSearchParams(new URL(page.url()).search);
  assert.equal(q.get('batch'), '128');
  assert.equal(q.get('subset'), '7', 'a value still refused stays in the URL as the link gave it');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('an unknown model in the URL is flagged at the Model field', async () => {
  const page = await openTrain(`${site.url}?model=resnet`);
  assert.equal(await page.getByLabel('Model', {exact: true}).inputValue(), 'resnet');
  const state = await fieldState(page, 'Model');
  assert.equal(state.invalid, true);
  assert.match(state.message, /^The link's \?model=resnet is not used\. .*presets.*custom/);
  assert.equal(await trainButton(page).isDisabled(), true);
  await page.getByLabel('Model', {exact: true}).selectOption('mlp-32');
  assert.deepEqual(await fieldState(page, 'Model'), {invalid: false, message: ''});
  assert.equal(await trainButton(page).isEnabled(), true);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the layer spec field shows the engine's own words, and refuses a spec too big to train before any run starts", async () => {
  const core = await loadCore(); // the same engine, in node: what it says is what the page must show
  const page = await openTrain(`${site.url}index.html?view=train`);
  await page.getByLabel('Model', {exact: true}).selectOption('custom');
  const spec = page.getByLabel('Layer spec', {exact: true});
  const check = page.locator('.spec-check');
  const shows = async (text, batch) => {
    const said = core.describe(text, batch);
    await spec.fill(text);
    const expected = said.ok ? '✓ Valid' : `✗ ${said.error}`;
    await page.waitForFunction((e) => document.querySelector('.spec-check').textContent.startsWith(e), expected);
    assert.equal((await spec.getAttribute('aria-invalid')) === 'true', !said.ok, text);
    assert.equal(await trainButton(page).isDisabled(), !said.ok, text);
    return said;
  };
  for (const text of [
    'conv(8,3) relu dense(10)',
    'dense(10)-relu',
    'conv(8,3)-relu-pool(2)-flaten-dense(10)',
    'flatten-dense(10',
  ]) {
    assert.equal((await shows(text, 64)).ok, false, `${text} is refused`);
  }
  assert.equal((await shows('flatten-dropout(1e-5)-dense(10)', 64)).ok, true);
  // A spec typed over a checked one: Train waits for the engine's answer about the new text
  // (it would otherwise train the spec checked before), in the same task as the keystroke.
  const waits = await page.evaluate(() => {
    const area = document.querySelector('.spec-field textarea');
    area.value = 'dense(10)-relu';
    area.dispatchEvent(new Event('input', {bubbles: true}));
    return document.querySelector('button.btn-primary').disabled;
  });
  assert.equal(waits, true, 'Train is disabled while the new spec is being checked');
  await page.waitForFunction(() => document.querySelector('.spec-check').textContent.startsWith('✗'));

  // Too big at batch 256 (about 2.4 GB over the 1.6 GB the wasm heap allows), with the estimate and the limit; nothing starts.
  const big = 'conv(512,1,same)-conv(512,3,same)-flatten-dense(10)';
  await page.getByLabel('Batch size', {exact: true}).selectOption('256');
  const said = await shows(big, 256);
  assert.equal(said.ok, false);
  assert.ok(said.bytes > said.limit, `${said.bytes} > ${said.limit}`);
  assert.match(await check.textContent(), /needs about [\d.]+ [GM]B .* over the limit of [\d.]+ [GM]B/);
  assert.equal(await page.locator('.lanes .lane').count(), 0, 'no run started');
  await page.locator('.train-controls').screenshot({path: screenshotPath('train-spec-too-big.png')});
  // The same spec at another batch size is asked about again.
  await page.getByLabel('Batch size', {exact: true}).selectOption('16');
  const small = core.describe(big, 16);
  assert.equal(small.ok, true, 'it fits at batch 16');
  await page.waitForFunction(() => document.querySelector('.spec-check').textContent.startsWith('✓ Valid'));
  assert.match(await check.textContent(), /about [\d.]+ [GM]B to train at batch 16$/);
  // Back to 256: Train waits for the engine's answer at the new size, from the same task on.
  const waitsForBatch = await page.evaluate(() => {
    const select = [...document.querySelectorAll('label')].find((l) => l.textContent === 'Batch size').control;
    select.value = '256';
    select.dispatchEvent(new Event('change', {bubbles: true}));
    return document.querySelector('button.btn-primary').disabled;
  });
  assert.equal(waitsForBatch, true, 'Train is disabled while the spec is checked at the new batch size');
  await page.waitForFunction(() => document.querySelector('.spec-check').textContent.startsWith('✗'));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a page of text pasted into the spec field is refused and kept out of the URL, which stays reloadable', async () => {
  const page = await openTrain(site.url);
  await page.getByLabel('Model', {exact: true}).selectOption('custom');
  await page.getByLabel('Layer spec', {exact: true}).fill('dense(10)-'.repeat(100000));
  await page.waitForFunction(() => /too long/.test(document.querySelector('#train .spec-check').textContent));
  assert.ok(page.url().length < 10000, `the URL is ${page.url().length} characters`);
  assert.equal(new URL(page.url()).searchParams.get('model'), 'custom');
  await page.reload();
  await page
    .getByLabel('Model', {exact: true})
    .locator('option[value="custom"]')
    .waitFor({state: 'attached', ...LONG});
  assert.equal(await page.getByLabel('Model', {exact: true}).inputValue(), 'custom');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('an unknown view name gets a message naming the views, and the named views still work', async () => {
  for (const name of ['constructor', '__proto__', 'toString', 'Drawpad ', 'nope']) {
    const page = await openPage(site.context, `${site.url}index.html?view=${encodeURIComponent(name)}`);
    const card = page.locator('main p.error');
    await card.waitFor();
    assert.match(
      await card.textContent(),
      /unknown view ".*": the views are drawpad, network, conv, train, results, weights(, [a-z]+)* and all/,
    );
    assert.ok(!/is not a function/.test(await page.locator('body').textContent()));
    await page.getByRole('link', {name: 'drawpad', exact: true}).click();
    await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
    assert.deepEqual(page.errors, []);
    await page.close();
  }
});

test('<mnist-lab view="constructor"> says which views there are; the element beside it works', async () => {
  const page = await openPage(site.context);
  await page.route('**/blog/views.html', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><meta charset="utf-8"><title>post</title>
     <mnist-lab view="constructor"></mnist-lab>
     <mnist-lab view="drawpad"></mnist-lab>
     <script type="module" src="${site.url}embed.js"></script>`,
    }),
  );
  await page.goto(`${site.url}blog/views.html`);
  const bad = page.locator('mnist-lab[view="constructor"]');
  await bad.locator('.card.error').waitFor();
  assert.match(
    await bad.textContent(),
    /^mnist-lab: unknown view "constructor": the views are drawpad, network, conv, train, results, weights(, [a-z]+)* and all\.$/,
  );
  await page.locator('mnist-lab[view="drawpad"] [data-model="cnn"][data-digit]').waitFor(LONG);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a seed out of range, from the link or typed, is flagged at the Seed field', async () => {
  const page = await openPage(site.context);
  await page.goto(`${site.url}?seed=-1`);
  await page.locator('#train').scrollIntoViewIfNeeded();
  const seed = page.getByLabel('Seed', {exact: true});
  await page.waitForFunction(() => document.querySelector('#train input[aria-invalid="true"]'));
  assert.equal(await seed.getAttribute('aria-invalid'), 'true');
  const note = page.locator(`#${await seed.getAttribute('aria-describedby')}`);
  assert.equal(
    await note.textContent(),
    "The link's ?seed=-1 is not used. The seed must be a whole number from 0 to 2,147,483,647.",
  );
  await seed.fill('3.5');
  assert.equal(await note.textContent(), 'The seed must be a whole number from 0 to 2,147,483,647.');
  assert.equal(await page.getByRole('button', {name: 'Train', exact: true}).isDisabled(), true);
  await seed.fill('42');
  assert.equal(await seed.getAttribute('aria-invalid'), null);
  assert.equal(await page.getByRole('button', {name: 'Train', exact: true}).isDisabled(), false);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the Train view alone (?view=train, as an iframe shows it) takes its settings from its URL', async () => {
  const page = await openTrain(`${site.url}index.html?view=train&model=cnn&epochs=3&seed=5&batch=7`);
  assert.equal(await page.getByLabel('Model', {exact: true}).inputValue(), 'cnn');
  assert.equal(await page.getByLabel('Epochs', {exact: true}).inputValue(), '3');
  assert.equal(await page.getByLabel('Seed', {exact: true}).inputValue(), '5');
  const batch = page.getByLabel('Batch size', {exact: true});
  assert.equal(await batch.getAttribute('aria-invalid'), 'true');
  assert.match(
    await page.locator(`#${await batch.getAttribute('aria-describedby')}`).textContent(),
    /^The link's \?batch=7 is not used\. The batch size must be 16, 32, 64, 128 or 256\.$/,
  );
  // Setting the field puts the URL right, and the view stays the view.
  await batch.selectOption('32');
  await page.waitForFunction(() => /[?&]batch=32\b/.test(location.search));
  assert.match(await page.evaluate(() => location.search), /^\?view=train&/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a link that names a one-epoch preset gets its recipe in every field the link leaves out', async () => {
  // fast's recipe: 1 epoch of the first 44,000 digits, batch 32, Adam 0.03 one-cycle, no augmentation.
  const page = await openTrain(`${site.url}?model=fast&batch=64`);
  const value = (label) => page.getByLabel(label, {exact: true}).inputValue();
  await page.waitForFunction(() => document.querySelector('.train-summary').textContent.startsWith('Train runs fast'));
  assert.deepEqual(
    {
      epochs: await value('Epochs'),
      batch: await value('Batch size'),
      lr: await value('Learning rate'),
      optimizer: await value('Optimizer'),
      schedule: await value('Schedule'),
      limit: await value('Training digits'),
      augment: await page.getByLabel('Augmentation (random shifts and rotations)').isChecked(),
    },
    {epochs: '1', batch: '64', lr: '0.03', optimizer: 'adam', schedule: 'onecycle', limit: '44000', augment: false},
    'the batch the link gives, the rest from the recipe',
  );
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("label smoothing and the shifted test are the model's own recipe's unless the link or the form says otherwise", async () => {
  const page = await openTrain(`${site.url}?model=fast`);
  const smoothing = page.getByLabel('Label smoothing', {exact: true});
  const shifts = page.getByLabel('Test shifts', {exact: true});
  const summary = page.locator('.train-summary');
  await page.waitForFunction(() => document.querySelector('.train-summary').textContent.startsWith('Train runs fast'));
  assert.equal(await smoothing.inputValue(), '0.1', "fast's recipe smooths by 0.1 (its float32 as 0.1)");
  assert.equal(await shifts.inputValue(), '4');
  assert.match(
    await summary.textContent(),
    /It smooths the labels by 0\.1, and scores each test digit it is unsure of with its 4 one-pixel shifts as well\.$/,
  );
  assert.doesNotMatch(page.url(), /label_smoothing|test_shifts/, "the model's own values stay out of the link");
  // Another model brings its own: mlp has neither.
  await page.getByLabel('Model', {exact: true}).selectOption('mlp');
  assert.equal(await smoothing.inputValue(), '0');
  assert.equal(await shifts.inputValue(), '0');
  assert.doesNotMatch(await summary.textContent(), /smooths|shifts/);
  // Set by hand, they go into the link and the summary.
  await smoothing.fill('0.05');
  await shifts.selectOption('2');
  assert.match(
    await summary.textContent(),
    /It smooths the labels by 0\.05, and scores each test digit it is unsure of with its 2 one-pixel shifts as well\.$/,
  );
  const q = new URLSearchParams(new URL(page.url()).search);
  assert.equal(q.get('label_smoothing'), '0.05');
  assert.equal(q.get('test_shifts'), '2');
  await smoothing.fill('1');
  assert.deepEqual(await fieldState(page, 'Label smoothing'), {
    invalid: true,
    message: 'Label smoothing must be a number from 0 to 0.99.',
  });
  assert.equal(await trainButton(page).isDisabled(), true);
  assert.deepEqual(page.errors, []);
  await page.close();

  // From a link: out of range is shown at the field and not used, whatever the model's own.
  const bad = await openTrain(`${site.url}?model=fast&label_smoothing=-0.1&test_shifts=3`);
  assert.match(
    (await fieldState(bad, 'Label smoothing')).message,
    /^The link's \?label_smoothing=-0\.1 is not used\. Label smoothing must be a number from 0 to 0\.99\.$/,
  );
  assert.match(
    (await fieldState(bad, 'Test shifts')).message,
    /^The link's \?test_shifts=3 is not used\. Test shifts must be 0, 2 or 4\.$/,
  );
  assert.equal(await trainButton(bad).isDisabled(), true);
  assert.deepEqual(bad.errors, []);
  await bad.close();
});
