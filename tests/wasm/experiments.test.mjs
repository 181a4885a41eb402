// The Draw view's operations through the JS face the worker uses (web/src/engine/core.js),
// on the shipped models and the full MNIST where it matters.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {before, describe, test} from 'node:test';

import {CoreError} from '../../web/src/engine/core.js';
import {idx, loadCore, readIdx, root} from './support.mjs';

const weights = (name) => new Uint8Array(fs.readFileSync(path.join(root, 'web/public/weights', `${name}.mlw`)));
const argmax = (p) => p.indexOf(Math.max(...p));

let core;
let testImages;
let testLabels;
/** Test digit i as the models read it: Float32Array(784) in [0, 1]. */
const digit = (i) => Float32Array.from(testImages.subarray(16 + i * 784, 16 + (i + 1) * 784), (v) => v / 255);

before(async () => {
  core = await loadCore();
  testImages = readIdx('t10k-images-idx3-ubyte');
  testLabels = readIdx('t10k-labels-idx1-ubyte');
  core.loadData('test', testImages, testLabels);
});

/** A 280x280 pad with test digit i drawn on it, each pixel a 10x10 square, shifted by (ox, oy) pad pixels. */
function pad(i, ox = 0, oy = 0) {
  const image = digit(i);
  const px = new Float32Array(280 * 280);
  for (let y = 0; y < 280; y++)
    for (let x = 0; x < 280; x++) {
      const sx = Math.floor((x - ox) / 10);
      const sy = Math.floor((y - oy) / 10);
      if (sx >= 0 && sy >= 0 && sx < 28 && sy < 28) px[y * 280 + x] = image[sy * 28 + sx];
    }
  return px;
}

describe('Draw view operations', () => {
  test('prepare: with centring it is the drawing path; without, the drawing where it was drawn', () => {
    core.importWeights(weights('cnn'));
    const drawing = pad(0, 60, 40);
    const probs = core.predictDrawing(drawing, 280, 280);
    const centred = core.prepare(drawing, 280, 280, {centre: true});
    assert.deepEqual(centred.probs, probs);
    assert.deepEqual(centred.image, core.input());
    // Unscaled: 10x10 pad squares average back to the digit, 6 px right and 4 px down.
    const plain = core.prepare(drawing, 280, 280, {centre: false});
    const image = digit(0);
    for (let y = 4; y < 28; y++)
      for (let x = 6; x < 28; x++) assert.ok(Math.abs(plain.image[y * 28 + x] - image[(y - 4) * 28 + x - 6]) < 1e-6);
    // Moved back by the shift: the digit as MNIST has it, read as its label.
    const back = core.prepare(drawing, 280, 280, {centre: false, dx: -6, dy: -4});
    assert.equal(argmax(back.probs), testLabels[8]);
    assert.throws(() => core.prepare(drawing, 280, 280, {thickness: 3}), CoreError);
    assert.throws(() => core.prepare(drawing, 100, 280), /drawing has 78400 pixels, expected 100x280/);
  });

  test('sweep: each row is the prediction of the image moved by that value', () => {
    core.importWeights(weights('mlp'));
    const image = digit(1);
    const values = [-8, -4, 0, 4, 8];
    const rows = core.sweep(image, 'x', values);
    assert.equal(rows.length, 50);
    values.forEach((v, k) => {
      const {probs} = core.prepare(pad(1), 280, 280, {centre: false, dx: v});
      for (let c = 0; c < 10; c++) assert.ok(Math.abs(rows[k * 10 + c] - probs[c]) < 1e-5, `${v} ${c}`);
    });
    assert.deepEqual(core.sweep(image, 'angle', [0]), core.predict(image));
    assert.throws(() => core.sweep(image, 'z', [1]), /unknown sweep axis 'z'/);
    assert.throws(() => core.sweep(new Float32Array(3), 'x', [1]), /784 pixels, got 3/);
  });

  test("inputGradient of a linear model is the class's row of weights", () => {
    core.createModel('dense(10)', 3);
    const params = core.params(); // W (10, 784) row-major, then b
    const image = digit(2);
    for (const cls of [0, 7])
      assert.deepEqual(core.inputGradient(image, cls), params.subarray(cls * 784, (cls + 1) * 784));
    assert.throws(() => core.inputGradient(image, 10), /0\.\.9/);
  });

  test('occlusion: each patch gets the drop in probability when it is blanked', () => {
    core.importWeights(weights('cnn'));
    const image = digit(3);
    const cls = testLabels[8 + 3];
    const drops = core.occlusion(image, cls, 4);
    const base = core.predict(image)[cls];
    for (const [py, px] of [
      [2, 3],
      [4, 4],
      [6, 0],
    ]) {
      const blanked = image.slice();
      for (let y = py * 4; y < py * 4 + 4; y++) blanked.fill(0, y * 28 + px * 4, y * 28 + px * 4 + 4);
      const want = base - core.predict(blanked)[cls];
      for (let y = py * 4; y < py * 4 + 4; y++)
        for (let x = px * 4; x < px * 4 + 4; x++) assert.ok(Math.abs(drops[y * 28 + x] - want) < 1e-6);
    }
  });

  test('fool: the CNN says the target within epsilon; the other model reads the same image', async () => {
    core.importWeights(weights('cnn'));
    const image = digit(4);
    const label = testLabels[8 + 4];
    const target = (label + 1) % 10;
    const r = core.fool(image, target, {epsilon: 0.3, step: 0.02, maxSteps: 100});
    assert.ok(r.reached, JSON.stringify({steps: r.steps, linf: r.linf}));
    assert.equal(argmax(r.probs), target);
    assert.deepEqual(core.predict(r.image), r.probs);
    let linf = 0;
    let l1 = 0;
    r.image.forEach((v, i) => {
      assert.ok(v >= 0 && v <= 1);
      linf = Math.max(linf, Math.abs(v - image[i]));
      l1 += Math.abs(v - image[i]);
    });
    assert.ok(linf <= 0.3 + 1e-6);
    assert.ok(Math.abs(r.linf - linf) < 1e-6 && Math.abs(r.l1 - l1) < 1e-3 * l1);
    const other = await loadCore();
    other.importWeights(weights('mlp'));
    assert.equal(other.predict(r.image).length, 10);
    assert.throws(() => core.fool(image, 3, {epsilon: 0}), /epsilon/);
  });

  test('stepTrace: the change is -lr times the gradient, and the weights moved by it', () => {
    core.createModel('conv(2,3)-relu-pool(2)-flatten-dense(10)', 2);
    const info = core.modelInfo();
    const before = core.params();
    const lr = 0.05;
    const t = core.stepTrace(digit(5), testLabels[8 + 5], lr);
    const after = core.params();
    assert.equal(t.layers.length, info.layers.length);
    assert.ok(t.loss > 0 && t.probs.length === 10);
    t.layers.forEach((l, i) => {
      const layer = info.layers[i];
      assert.equal(
        l.output.length,
        layer.shape.reduce((a, b) => a * b),
      );
      assert.equal(l.outputGradient.length, l.output.length);
      assert.equal(l.gradient.length, layer.params);
      l.gradient.forEach((g, k) => {
        assert.equal(l.change[k], Math.fround(Math.fround(-lr) * g));
        assert.equal(after[layer.offset + k], Math.fround(before[layer.offset + k] + l.change[k]));
      });
    });
    assert.throws(() => core.stepTrace(digit(5), 11, lr), /0\.\.9/);
  });

  test('readIdx reads a pair of IDX files and says what is wrong with bad ones', () => {
    const pixels = testImages.subarray(16, 16 + 3 * 784);
    const images = idx([3, 28, 28], pixels);
    const labels = idx([3], testLabels.subarray(8, 11));
    const d = core.readIdx(images, labels);
    assert.equal(d.count, 3);
    assert.deepEqual(d.images, pixels);
    assert.deepEqual(d.labels, testLabels.subarray(8, 11));
    assert.throws(() => core.readIdx(images, idx([2], new Uint8Array([1, 2]))), /3 images but 2 labels/);
    assert.throws(() => core.readIdx(idx([1, 20, 20], new Uint8Array(400)), idx([1], new Uint8Array(1))), /28x28/);
    assert.throws(() => core.readIdx(images.subarray(0, 20), labels), /your digits/);
    assert.throws(() => core.readIdx(labels, labels), /your digits/);
  });
});

/**
 * The user's style: test 7s with a bar across the middle (a European 7) are read fine already, so
 * the style is a 1 with a long flag and a base (a serif 1, as typewriters print it), built from MNIST 1s.
 */
function styled(count, from) {
  const out = new Uint8Array(count * 784);
  let n = 0;
  for (let i = from; n < count; i++) {
    if (testLabels[8 + i] !== 1) continue;
    const img = testImages.subarray(16 + i * 784, 16 + (i + 1) * 784);
    const o = out.subarray(n * 784, (n + 1) * 784);
    o.set(img);
    for (let x = 8; x < 21; x++) o[23 * 28 + x] = o[24 * 28 + x] = 255; // the base
    for (let y = 4; y < 12; y++) o[y * 28 + 8 + (y - 4)] = o[y * 28 + 9 + (y - 4)] = 255; // the flag
    n++;
  }
  return out;
}

describe('fine-tuning', () => {
  test('teaches the shipped CNN a style from 5 examples while MNIST stays >= 98.5%', () => {
    core.importWeights(weights('cnn'));
    core.loadData('train', readIdx('train-images-idx3-ubyte'), readIdx('train-labels-idx1-ubyte'));
    const fresh = styled(40, 5000);
    const readAsOne = () => {
      let right = 0;
      for (let k = 0; k < 40; k++)
        right += argmax(core.predict(Float32Array.from(fresh.subarray(k * 784, (k + 1) * 784), (v) => v / 255))) === 1;
      return right / 40;
    };
    const misread = readAsOne();
    assert.ok(misread <= 0.5, `the shipped CNN already reads ${misread * 100}% of the style right`);
    core.startFinetune(styled(5, 0), new Uint8Array(5).fill(1));
    let p;
    do p = core.train(50);
    while (!p.finished);
    assert.ok(readAsOne() >= 0.9, `after fine-tuning ${readAsOne() * 100}%`);
    const {accuracy} = core.evaluate(0);
    assert.ok(accuracy >= 0.985, `MNIST test accuracy ${accuracy}`);
  });
});
