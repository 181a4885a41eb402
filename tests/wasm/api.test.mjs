// The engine's typed surface: the default settings, settings and progress as
// value_objects, and the data the engine keeps (counts, images, labels).
import assert from 'node:assert/strict';
import {before, describe, test} from 'node:test';

import {CoreError} from '../../web/src/engine/core.js';
import {idx, loadCore, mnistSubset} from './support.mjs';

let core;
before(async () => {
  core = await loadCore();
});

describe('engine settings and progress', () => {
  test('defaults() gives every setting once, as the page starts a run', () => {
    assert.deepEqual(core.module.Engine.defaults(), {
      epochs: 1,
      batch: 64,
      lr: Math.fround(3e-3),
      optimizer: 'adam',
      schedule: 'onecycle',
      weight_decay: 0,
      augment: false,
      seed: 1,
      limit: 0,
      // Left to the recipe: a preset's own, off for a spec (TrainConfig::as_trained).
      label_smoothing: -1,
      test_shifts: -1,
    });
    assert.deepEqual(core.settings({}), core.defaults);
    assert.equal(core.defaults.lr, 0.003, 'a float32 read back as its shortest decimal');
    assert.equal(core.settings({lr: 0.01, limit: 500}).lr, 0.01);
  });

  test('settings go in as one object; the engine refuses a bad one with its own words', () => {
    const train = mnistSubset('train', 200);
    core.loadData('train', train.images, train.labels);
    core.createModel('mlp-32', 1);
    const Engine = core.engine;
    const all = core.defaults;
    for (const [patch, error] of [
      [{lr: 1e-300}, /^learning rate must be in \(0, 10\], got 0$/],
      [{lr: 11}, /^learning rate must be in \(0, 10\], got 11$/],
      [{epochs: 0}, /^epochs must be 1\.\.1000, got 0$/],
      [{batch: 5000}, /^batch must be 1\.\.4096, got 5000$/],
      [{weight_decay: 1}, /^weight decay must be in \[0, 1\), got 1$/],
      [{optimizer: 'rmsprop'}, /rmsprop/],
      [{schedule: 'sometimes'}, /sometimes/],
      [{limit: -1}, /^limit must not be negative, got -1$/],
    ]) {
      assert.throws(
        () => core.startTraining(patch),
        (e) => e instanceof CoreError && error.test(e.message),
        JSON.stringify(patch),
      );
      // The same through the raw Embind call: the value_object carries it as it is.
      Engine.startTraining({...all, ...patch});
      assert.match(Engine.takeError(), error);
    }
    // A field left out never reaches the engine; a misspelt or mistyped one is named.
    assert.throws(() => Engine.startTraining({epochs: 1}), /Missing field/);
    assert.throws(() => core.startTraining({subset: 100}), /^CoreError: unknown training setting 'subset'$/);
    assert.throws(() => core.startTraining({epochs: '2'}), /'epochs' must be a number, got string/);
    // Every setting reaches the run: the limit sets the batches, the epochs the steps.
    core.startTraining({epochs: 2, batch: 10, limit: 50, seed: 3});
    const p = core.train(1);
    assert.equal(p.batches_per_epoch, 5);
    assert.equal(p.total_steps, 10);
    assert.equal(p.epochs, 2);
  });

  test('progress is one object of numbers; a diverged run says its step and loss as numbers', () => {
    const train = mnistSubset('train', 200);
    core.loadData('train', train.images, train.labels);
    const info = core.startNewTraining('dense(64)-relu-dense(64)-relu-dense(10)', {
      epochs: 20,
      batch: 16,
      lr: 10,
      optimizer: 'sgd',
      schedule: 'constant',
    });
    assert.equal(info.spec, 'dense(64)-relu-dense(64)-relu-dense(10)');
    let p = core.train(1);
    assert.deepEqual(Object.keys(p).sort(), [
      'accuracy',
      'batch',
      'batches_per_epoch',
      'diverged',
      'diverged_loss',
      'diverged_step',
      'epoch',
      'epoch_done',
      'epoch_seconds',
      'epochs',
      'finished',
      'loss',
      'lr',
      'message',
      'samples_per_second',
      'step',
      'total_steps',
    ]);
    while (!p.finished) p = core.train(1000);
    assert.equal(p.diverged, true);
    assert.ok(p.step < p.total_steps);
    assert.equal(p.diverged_step, p.step + 1);
    assert.ok(!Number.isFinite(p.diverged_loss) || p.diverged_loss > 100, `loss ${p.diverged_loss}`);
    assert.match(p.message, new RegExp(`diverged at step ${p.diverged_step} `));
  });
});

describe('engine data', () => {
  // Three hand-made digits: a ramp, one grey pixel, all white; labels 7, 0, 9.
  const N = 3;
  const pixels = new Uint8Array(N * 784);
  for (let i = 0; i < 784; i++) pixels[i] = i % 256;
  pixels[784 + 400] = 200;
  pixels.fill(255, 2 * 784);
  const labels = Uint8Array.of(7, 0, 9);

  test('counts, images and labels come from the engine, byte for byte', () => {
    assert.equal(core.count('test'), 0);
    assert.throws(() => core.image('test', 0), /no test data loaded/);
    core.loadData('test', idx([N, 28, 28], pixels), idx([N], labels));
    assert.equal(core.count('test'), 3);
    assert.deepEqual(core.image('test', 0), pixels.subarray(0, 784));
    assert.deepEqual(core.image('test', 1), pixels.subarray(784, 2 * 784));
    assert.deepEqual(
      core.images('test', [2, 0]),
      Uint8Array.from([...pixels.subarray(2 * 784), ...pixels.subarray(0, 784)]),
    );
    assert.deepEqual(core.labels('test'), labels);
    assert.deepEqual(
      [0, 1, 2].map((i) => core.label('test', i)),
      [7, 0, 9],
    );
    assert.throws(() => core.image('test', 3), /^CoreError: no test digit 3 \(there are 3\)$/);
    assert.throws(() => core.image('test', -1), /no test digit -1/);
    assert.throws(() => core.label('test', 3), /no test digit 3/);
    assert.throws(() => core.count('validation'), /unknown data split 'validation'/);
    // The copies are the caller's: loading again does not change them.
    const kept = core.labels('test');
    core.loadData('test', idx([1, 28, 28], new Uint8Array(784)), idx([1], [4]));
    assert.deepEqual(kept, labels);
    assert.deepEqual(core.labels('test'), Uint8Array.of(4));
  });

  test("a test digit is predicted from the engine's own pixels", () => {
    core.loadData('test', idx([N, 28, 28], pixels), idx([N], labels));
    core.createModel('mlp-32', 2);
    // As the core scales pixels (to_float): times 1/255 rounded to a float, in one rounding.
    const image = Float32Array.from(core.image('test', 1), (v) => v * Math.fround(1 / 255));
    const expected = core.predict(image);
    assert.deepEqual(core.predictSample('test', 1), expected);
    assert.deepEqual(core.input(), image);
    assert.throws(() => core.predictSample('test', 3), /no test digit 3/);
  });
});
