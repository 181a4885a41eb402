// "Watch it learn one step", as a reader uses it: pick a label, press Step (by mouse and by
// keyboard) through forward, loss, the backward pass layer by layer and the update, on both
// networks; the numbers shown hold together (the loss is -ln p(label), the output layer's
// gradient is p - onehot(label)) and the step measurably teaches the label.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {LONG, openPage, screenshotPath} from './support/browser.js';
import {useSite} from './support/setup.js';

const site = useSite();

const stageOf = (panel) => panel.getAttribute('data-stage');

test('one step, stage by stage, in the embedded view, on a phone', {timeout: 300000}, async () => {
  // The view alone (as an iframe embeds it) at a phone's size: it steps on the example digit.
  const page = await openPage(site.context, `${site.url}index.html?view=step`, {width: 390, height: 844});
  const panel = page.locator('.step');
  const stepButton = panel.getByRole('button', {name: 'Step', exact: true});
  await page.locator('.step-strip .step-meta').filter({hasText: 'params'}).nth(1).waitFor(LONG);
  const label = 3; // the example digit is not a 3: the step has something to learn
  await panel.getByLabel('Label for the step', {exact: true}).selectOption(String(label));

  await stepButton.click();
  await page.waitForFunction(() => document.querySelector('.step')?.dataset.stage === 'forward', null, LONG);
  const stages = await panel.locator('.step-stages li').allTextContents();
  assert.equal(stages[0], 'Forward');
  assert.equal(stages[1], 'Loss');
  assert.equal(stages.at(-1), 'Update');
  const depth = stages.length - 3; // backward stages: the deeper network's layer groups
  for (const strip of await panel.locator('.step-strip').all()) {
    assert.equal(await strip.locator('.step-gradient').count(), 0, 'no gradient before the backward pass');
  }

  // Keyboard: the same button, pressed with Enter.
  await stepButton.focus();
  await page.keyboard.press('Enter');
  assert.equal(await stageOf(panel), 'loss');
  for (const m of ['mlp', 'cnn']) {
    const loss = panel.locator(`.step-${m} .step-loss`);
    const p = Number(await loss.getAttribute('data-p'));
    const value = Number(await loss.getAttribute('data-loss'));
    assert.ok(p > 0 && p < 1, `${m}: p(${label}) = ${p}`);
    assert.ok(Math.abs(value + Math.log(p)) < 1e-3 * Math.max(1, value), `${m}: loss ${value} = -ln ${p}`);
    // The numbers shown say the same, to the digits shown.
    const shownP = Number(await loss.locator('.step-p').textContent());
    const shownLoss = Number(await loss.locator('.step-loss-value').textContent());
    assert.ok(Math.abs(shownLoss + Math.log(shownP)) < 2e-3 * Math.max(1, shownLoss), `${m}: shown ${shownLoss}`);
  }

  // Backward: each press, the gradient reaches one more layer group of each network (until its first).
  const gradients = async (m) => panel.locator(`.step-${m} .step-gradient`).count();
  const groups = {};
  for (const m of ['mlp', 'cnn']) groups[m] = await panel.locator(`.step-${m} .step-card[data-layer]`).count();
  assert.equal(Math.max(groups.mlp, groups.cnn), depth);
  for (let k = 1; k <= depth; k++) {
    await stepButton.click();
    assert.equal(await stageOf(panel), `backward-${k}`);
    for (const m of ['mlp', 'cnn']) assert.equal(await gradients(m), Math.min(k, groups[m]), `${m} at back ${k}`);
    if (k === 1) {
      // The output layer's gradient is p - onehot(label): its largest magnitude is 1 - p(label) or more.
      for (const m of ['mlp', 'cnn']) {
        const p = Number(await panel.locator(`.step-${m} .step-loss`).getAttribute('data-p'));
        const shown = await panel.locator(`.step-${m} .step-card[data-layer]`).last().locator('.step-gradient small');
        const max = Number(/max \|grad\| (\S+)/.exec(await shown.textContent())[1]);
        assert.ok(max >= (1 - p) * 0.999, `${m}: max |grad| at the output ${max} >= 1 - p = ${1 - p}`);
      }
    }
  }

  await stepButton.click();
  assert.equal(await stageOf(panel), 'update');
  for (const m of ['mlp', 'cnn']) {
    const changes = panel.locator(`.step-${m} .step-change`);
    assert.ok((await changes.count()) >= 2, `${m}: every dense and convolution layer shows its weights' change`);
    const text = await changes.first().locator('small').textContent();
    assert.ok(Number(/max \|change\| (\S+)/.exec(text)[1]) > 0, `${m}: the weights moved (${text})`);
  }
  // The step taught the label: the network now gives it more probability than before.
  const mlpLoss = panel.locator('.step-mlp .step-loss');
  await mlpLoss.getByText(/after the step/).waitFor(LONG);
  const pBefore = Number(await mlpLoss.getAttribute('data-p'));
  const pAfter = Number(/after the step p\(\d\) = (\S+)/.exec(await mlpLoss.textContent())[1]);
  assert.ok(pAfter > pBefore, `the MLP gives ${label} more probability after the step (${pBefore} -> ${pAfter})`);
  await panel.screenshot({path: screenshotPath('step-phone.png')});

  // One more press starts a new step, from the forward pass.
  await stepButton.click();
  await page.waitForFunction(() => document.querySelector('.step')?.dataset.stage === 'forward', null, LONG);
  assert.deepEqual(page.errors, []);
  await page.close();
});
