// The Network view as a reader explores it: pointing at a neuron says the value the worker
// computed; pressing it shows a weighted sum whose terms add up to that value; a map of the
// second convolution shows its input channels' partial sums adding up to its value at the
// chosen position; the MLP's first-layer weight pictures follow its weights while it
// trains; the keyboard reaches every neuron with one tab stop per layer, and Escape closes.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {LONG, drawStrokes, openPage, screenshotPath} from './support/browser.js';
import {DIGIT_STROKES} from './support/digits.js';
import {useSite} from './support/setup.js';
import {holdTraining, modelWorker, releaseTraining, sendToWorker} from './support/worker.js';

const site = useSite();

/**
 * Opens the page with every prediction the workers send kept as plain arrays (window.replies:
 * the newest per number of layers, MLP 5 and CNN 10), draws a 3, and brings the Network view
 * into sight.
 */
async function setup({viewport} = {}) {
  const page = await openPage(site.context, undefined, viewport);
  await page.addInitScript(() => {
    const data = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data');
    const seen = new WeakSet();
    window.replies = {};
    Object.defineProperty(MessageEvent.prototype, 'data', {
      get() {
        const d = data.get.call(this);
        if (d?.type === 'prediction' && d.activations && !seen.has(this)) {
          seen.add(this);
          window.replies[d.activations.length] = {
            probs: Array.from(d.probs),
            activations: d.activations.map((a) => Array.from(a)),
          };
        }
        return d;
      },
    });
  });
  await page.goto(site.url);
  await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
  await page.evaluate(() => document.querySelector('#draw').scrollIntoView());
  await drawStrokes(page, page.locator('canvas[aria-label="Drawing pad"]'), DIGIT_STROKES[3]);
  await page.locator('[data-model="mlp"][data-digit="3"]').waitFor(LONG);
  await page.locator('#network').scrollIntoViewIfNeeded();
  return page;
}

/** The activations the worker last reported for a network of `layers` layers, once they came. */
async function reported(page, layers) {
  await page.waitForFunction((n) => window.replies[n], layers, LONG);
  return page.evaluate((n) => window.replies[n], layers);
}

const numbers = (text) => [...text.matchAll(/-?\d+\.\d+/g)].map((m) => Number(m[0]));
const argmax = (a) => a.reduce((b, x, i) => (x > a[b] ? i : b), 0);

test('a dense neuron: its value on hover, and inputs × weights + bias adding up to it', async () => {
  const page = await setup();
  const mlp = await reported(page, 5); // dense(512), relu, dense(256), relu, dense(10)
  const k = argmax(mlp.activations[1]);
  const neuron = page.getByRole('button', {name: `hidden layer 1 (dense + ReLU), neuron ${k}`, exact: true});
  await neuron.hover();
  const tip = page.locator('#network .net-card > .net-tip');
  await tip.waitFor();
  const said = await tip.textContent();
  assert.match(said, new RegExp(`^neuron ${k} of hidden layer 1 \\(dense \\+ ReLU\\): `));
  const [shownValue] = numbers(said.split(': ')[1]);
  assert.ok(Math.abs(shownValue - mlp.activations[1][k]) < 1e-3, `${said} vs the worker's ${mlp.activations[1][k]}`);

  await neuron.click();
  const panel = page.getByRole('region', {name: 'Computation of the selected unit'});
  await panel.getByRole('heading', {name: `Neuron ${k} of hidden layer 1 (dense + ReLU)`}).waitFor();
  const rows = await panel.locator('tr.calc-term').allTextContents();
  assert.equal(rows.length, 8);
  let sum = 0;
  for (const row of rows) {
    const [value, weight, term] = numbers(row.replace(/^pixel \(\d+, \d+\)/, ''));
    assert.ok(Math.abs(value * weight - term) < 2e-4, `${row}: value × weight is the term`);
    assert.ok(value > 0, `${row}: the strongest inputs of the first layer are inked pixels`);
    sum += term;
  }
  const cell = async (cls) => numbers(await panel.locator(`tr.${cls} td`).textContent())[0];
  const rest = await cell('calc-rest');
  const bias = await cell('calc-bias');
  const z = await cell('calc-z');
  assert.ok(Math.abs(sum + rest + bias - z) < 1e-3, `terms ${sum} + rest ${rest} + bias ${bias} = z ${z}`);
  assert.ok(Math.abs(z - mlp.activations[0][k]) < 1e-3, `z ${z} is the worker's ${mlp.activations[0][k]}`);
  assert.ok(Math.abs((await cell('calc-a')) - Math.max(0, z)) < 1e-4, 'ReLU(z)');
  // The first layer reads pixels: the digit, the weights and their products are drawn.
  assert.equal(await panel.locator('canvas.calc-img').count(), 3);
  await page.locator('#network').screenshot({path: screenshotPath('network-neuron-1280.png')});

  // An output: its score z is the worker's logit.
  const digit = page.getByRole('button', {name: 'the output layer, digit 3', exact: true});
  await digit.click();
  await panel.getByRole('heading', {name: 'Digit 3 of the output layer'}).waitFor();
  const logit = await cell('calc-z');
  assert.ok(Math.abs(logit - mlp.activations[4][3]) < 1e-3, `logit ${logit} vs ${mlp.activations[4][3]}`);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a map of the second convolution: the partial sums of all its input channels add up to its value', async () => {
  const page = await setup();
  await page.locator('#network').getByRole('button', {name: 'CNN (convolutional)'}).click();
  // conv(32,3), relu, pool(2), conv(64,3), relu, pool(2), flatten, dense(128), relu, dropout, dense(10)
  const cnn = await reported(page, 11);
  const [F, H, W] = [64, 11, 11];
  const conv2 = cnn.activations[3];
  // The most active map, and in it a position with a positive value.
  const sums = Array.from({length: F}, (_, f) => conv2.slice(f * H * W, (f + 1) * H * W).reduce((s, v) => s + v, 0));
  const f = argmax(sums);
  const peak = argmax(conv2.slice(f * H * W, (f + 1) * H * W));
  const [r, c] = [Math.floor(peak / W), peak % W];
  const at = f * H * W + peak;
  const maps = page.getByRole('group', {name: '64 feature maps of convolution 2 (conv 3×3 + ReLU)'});
  const thumb = maps.getByRole('button', {name: `map ${f} of convolution 2`, exact: true});
  await thumb.scrollIntoViewIfNeeded();
  const box = await thumb.locator('canvas').boundingBox();
  await page.mouse.click(box.x + ((c + 0.5) / W) * box.width, box.y + ((r + 0.5) / H) * box.height);
  const panel = page.getByRole('region', {name: 'Computation of the selected unit'});
  await panel
    .getByRole('heading', {name: `Map ${f} of convolution 2 (conv 3×3 + ReLU) at row ${r}, column ${c}`})
    .waitFor();
  const channels = panel.getByRole('group', {name: '32 input channels'}).getByRole('button');
  assert.equal(await channels.count(), 32);
  const partials = (await channels.allTextContents()).map((t) => numbers(t.replace(/^map \d+/, ''))[0]);
  const cell = async (cls) => numbers(await panel.locator(`tr.${cls} td`).textContent())[0];
  const bias = await cell('calc-bias');
  const z = await cell('calc-z');
  const sum = partials.reduce((s, p) => s + p, 0);
  assert.ok(Math.abs(sum + bias - z) < 34 * 5e-5 + 1e-4, `32 partial sums ${sum} + bias ${bias} = z ${z}`);
  assert.ok(Math.abs(z - conv2[at]) < 1e-3, `z ${z} is the worker's ${conv2[at]}`);
  assert.ok(Math.abs((await cell('calc-a')) - cnn.activations[4][at]) < 1e-3, 'after ReLU, the worker says the same');
  // A channel spelled out: its nine products add up to its partial sum.
  await channels.nth(5).click();
  const detail = await panel.locator('.calc-detail').textContent();
  const [products, partial] = detail.replace(/^input map 5: /, '').split(' = ');
  const terms = products.split(' + ').map((p) => (p.startsWith('pad') ? 0 : numbers(p).reduce((a, b) => a * b)));
  assert.equal(terms.length, 9);
  assert.ok(Math.abs(terms.reduce((s, t) => s + t, 0) - Number(partial)) < 1e-3, detail);
  assert.ok(Math.abs(Number(partial) - partials[5]) < 1e-4);
  await page.locator('#network').screenshot({path: screenshotPath('network-conv-1280.png')});
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the MLP's first-layer weight pictures follow its weights while it trains", async () => {
  const page = await setup();
  const card = page.locator('#network .fl-card');
  const tile = card.getByRole('button', {name: /^neuron 0(,|$)/});
  const pixels = () =>
    tile.locator('canvas').evaluate((c) => Array.from(c.getContext('2d').getImageData(0, 0, 28, 28).data));
  const shipped = await pixels();
  await page.locator('#train').scrollIntoViewIfNeeded();
  await page.getByLabel('Model', {exact: true}).selectOption('mlp');
  await page.getByLabel('Epochs', {exact: true}).fill('1');
  await page.getByLabel('Training digits', {exact: true}).selectOption('5000');
  const worker = await modelWorker(page, 'mlp');
  // The run holds at known steps (a test hook): what the pictures show there is exactly the weights then.
  const first = holdTraining(worker, 10);
  await page.getByRole('button', {name: 'Train', exact: true}).click();
  await first;
  await card.scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelector('#network .fl-card').dataset.step === '10', null, LONG);
  const at10 = await pixels();
  assert.notDeepEqual(at10, shipped, 'a fresh network has other weights than the pretrained one');
  // The next hold is set before the run goes on (a release would clear it), so it cannot be overrun.
  const second = holdTraining(worker, 40);
  await sendToWorker(worker, {type: 'resume', id: -3});
  await second;
  await page.waitForFunction(() => document.querySelector('#network .fl-card').dataset.step === '40', null, LONG);
  const at40 = await pixels();
  assert.notDeepEqual(at40, at10, '30 batches later the pictures have changed, during the run');
  await releaseTraining(worker);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the keyboard: one tab stop per layer, arrows move within it, Escape closes', async () => {
  const page = await setup();
  const layer = page.getByRole('group', {name: 'hidden layer 1 (dense + ReLU)', exact: true});
  const buttons = layer.getByRole('button');
  await buttons.last().waitFor();
  assert.equal(await buttons.count(), 512);
  assert.equal(await layer.locator('button[tabindex="0"]').count(), 1, 'one tab stop for 512 neurons');
  await buttons.first().focus();
  const focused = () => page.evaluate(() => document.activeElement.getAttribute('aria-label'));
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'hidden layer 1 (dense + ReLU), neuron 1');
  await page.keyboard.press('ArrowUp');
  assert.equal(await focused(), 'hidden layer 1 (dense + ReLU), neuron 0');
  await page.keyboard.press('ArrowRight');
  const right = await focused();
  assert.match(right, /neuron (\d+)$/);
  assert.ok(Number(right.match(/(\d+)$/)[1]) > 1, `ArrowRight moves to the next column (${right})`);
  await page.keyboard.press('End');
  assert.equal(await focused(), 'hidden layer 1 (dense + ReLU), neuron 511');
  assert.equal(await layer.locator('button[tabindex="0"]').getAttribute('aria-label'), await focused());
  // The tip says the focused neuron's value.
  assert.match(await page.locator('#network .net-card > .net-tip').textContent(), /^neuron 511 of hidden layer 1/);
  await page.keyboard.press('Enter');
  const panel = page.getByRole('region', {name: 'Computation of the selected unit'});
  await panel.getByRole('heading', {name: 'Neuron 511 of hidden layer 1 (dense + ReLU)'}).waitFor();
  await page.keyboard.press('Escape');
  await panel.waitFor({state: 'hidden'});
  assert.equal(await focused(), 'hidden layer 1 (dense + ReLU), neuron 511', 'focus stays on the neuron');

  // The CNN's maps: one tab stop per convolution.
  await page.locator('#network').getByRole('button', {name: 'CNN (convolutional)'}).click();
  const maps = page.getByRole('group', {name: '32 feature maps of convolution 1 (conv 3×3 + ReLU)'});
  await maps.getByRole('button', {name: 'map 0 of convolution 1', exact: true}).focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await focused(), 'map 1 of convolution 1');
  await page.keyboard.press('Enter');
  await panel
    .getByRole('heading', {name: /^Map 1 of convolution 1 \(conv 3×3 \+ ReLU\) at row \d+, column \d+$/})
    .waitFor();
  // Escape from inside the panel closes it and gives focus back to the map.
  await panel.getByRole('button', {name: 'Close'}).focus();
  await page.keyboard.press('Escape');
  await panel.waitFor({state: 'hidden'});
  assert.equal(await focused(), 'map 1 of convolution 1');
  assert.deepEqual(page.errors, []);
  await page.close();
});
