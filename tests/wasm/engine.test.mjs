// The wasm module through the same JS face the worker uses (web/src/engine/core.js).
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {before, describe, test} from 'node:test';

import {CoreError} from '../../web/src/engine/core.js';
import {cli, dataDir, loadCore, mnistSubset, root, trainToEnd} from './support.mjs';

let core;
before(async () => {
  core = await loadCore();
});

function trainEpochs(c, n) {
  const losses = trainToEnd(c);
  assert.equal(losses.length, n);
  return losses;
}

describe('wasm engine', () => {
  test('lists every preset with its exact parameter count', () => {
    const byName = Object.fromEntries(core.presets().map((p) => [p.name, p.params]));
    assert.deepEqual(byName, {
      mlp: 535818,
      'mlp-128': 101770,
      'mlp-32': 25450,
      linear: 7850,
      cnn: 225034,
      'tiny-cnn': 4266,
      'small-cnn': 26698,
      'strong-cnn': 467818,
      lenet5: 44426,
      'wide-cnn': 1199882,
      fast: 38730,
      minute: 41458,
    });
    // Whether each is a conv net (the page's CNN slot), as describe() says of any spec.
    const conv = core
      .presets()
      .filter((p) => p.spatial)
      .map((p) => p.name);
    assert.deepEqual(
      conv,
      core
        .presets()
        .filter((p) => core.describe(p.spec).spatial)
        .map((p) => p.name),
    );
    assert.ok(conv.includes('cnn') && conv.includes('fast') && !conv.includes('mlp') && !conv.includes('linear'), conv);
  });

  test('a tiny model learns a subset of MNIST', () => {
    const train = mnistSubset('train', 2000);
    const test = mnistSubset('test', 1000);
    core.loadData('train', train.images, train.labels);
    core.loadData('test', test.images, test.labels);
    core.createModel('mlp-32', 5);
    const before = core.evaluate(0);
    core.startTraining({epochs: 3, batch: 32, lr: 2e-3, schedule: 'cosine'});
    const losses = trainEpochs(core, 3);
    const after = core.evaluate(0);
    assert.ok(losses[2] < losses[0], `loss falls: ${losses}`);
    assert.ok(after.loss < before.loss / 2, `test loss ${before.loss} -> ${after.loss}`);
    assert.ok(after.accuracy > 0.8, `test accuracy ${after.accuracy}`);
    const total = after.confusion.reduce((a, b) => a + b, 0);
    assert.equal(total, 1000);
    assert.equal(after.misclassified.length, Math.round(1000 * (1 - after.accuracy)));
  });

  test('predicts ten probabilities and exposes every layer', () => {
    const info = core.createModel('tiny-cnn', 3);
    const img = new Float32Array(784).map((_, i) => ((i * 37) % 255) / 255);
    const p = core.predict(img);
    assert.equal(p.length, 10);
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    info.layers.forEach((layer, i) => {
      const [c, h, w] = layer.shape;
      assert.equal(core.activation(i).length, c * h * w, layer.token);
    });
    assert.deepEqual(Array.from(core.input()), Array.from(img));
  });

  test('activations() gives every layer in one buffer, refilling a spare one prediction after another', () => {
    const info = core.createModel('tiny-cnn', 3);
    const n = info.layers.length;
    const images = [0, 1, 2].map((k) => new Float32Array(784).map((_, i) => ((i * (37 + k * 11)) % 255) / 255));
    const each = (image) => {
      core.predict(image);
      return Array.from({length: n}, (_, i) => core.activation(i));
    };
    const expected = images.map(each);
    assert.notDeepEqual(expected[0][0], expected[1][0], 'the test images give different activations');
    // As the page does: each prediction hands back the buffer of the one before last.
    let shown = null;
    let spare = null;
    images.forEach((image, k) => {
      core.predict(image);
      const acts = core.activations(n, spare);
      assert.equal(acts.length, n);
      acts.forEach((a, i) => {
        assert.equal(a.buffer, acts[0].buffer, 'one buffer');
        assert.deepEqual(a, expected[k][i], `prediction ${k}, layer ${i}`);
      });
      if (spare) assert.equal(acts[0].buffer, spare.buffer, 'the spare buffer is refilled');
      if (shown) shown.forEach((a, i) => assert.deepEqual(a, expected[k - 1][i], 'the previous result is untouched'));
      spare = shown ? shown[0] : null;
      shown = acts;
    });
    // A spare of the wrong size (another model's, or a view into part of a buffer) is left alone.
    core.predict(images[0]);
    const small = new Float32Array(5).fill(7);
    const fresh = core.activations(n, small);
    assert.notEqual(fresh[0].buffer, small.buffer);
    assert.deepEqual(Array.from(small), [7, 7, 7, 7, 7]);
    assert.notEqual(core.activations(n, fresh[1])[0].buffer, fresh[0].buffer);
    fresh.forEach((a, i) => assert.deepEqual(a, expected[0][i]));
  });

  test('a drawing is preprocessed into a centred 28x28 image', () => {
    core.createModel('mlp-32', 1);
    const w = 100,
      h = 100;
    const px = new Float32Array(w * h);
    for (let y = 5; y < 45; y++) for (let x = 5; x < 25; x++) px[y * w + x] = 1; // tall block, top-left
    core.predictDrawing(px, w, h);
    const img = core.input();
    let mass = 0,
      mx = 0,
      my = 0,
      rows = new Set();
    img.forEach((v, i) => {
      mass += v;
      mx += v * ((i % 28) + 0.5);
      my += v * (Math.floor(i / 28) + 0.5);
      if (v > 0.5) rows.add(Math.floor(i / 28));
    });
    assert.ok(Math.abs(mx / mass - 14) < 0.75 && Math.abs(my / mass - 14) < 0.75, `centre ${mx / mass},${my / mass}`);
    assert.equal(rows.size, 20, 'the longer side is scaled to 20 px');
  });

  test('same seed gives the same loss natively and in wasm', () => {
    const n = 640;
    const spec = 'conv(4,3)-relu-pool(2)-flatten-dense(10)';
    const args = [
      'train',
      '--model',
      spec,
      '--epochs',
      '2',
      '--batch',
      '32',
      '--lr',
      '0.002',
      '--optimizer',
      'adam',
      '--schedule',
      'cosine',
      '--seed',
      '7',
      '--limit',
      String(n),
      '--no-augment',
      '--json',
      '--data',
      dataDir,
    ];
    const native = execFileSync(cli, args, {encoding: 'utf8'})
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const train = mnistSubset('train', n);
    core.loadData('train', train.images, train.labels);
    core.loadData('test', mnistSubset('test', 10000).images, mnistSubset('test', 10000).labels);
    core.createModel(spec, 7);
    core.startTraining({epochs: 2, batch: 32, lr: 0.002, optimizer: 'adam', schedule: 'cosine', seed: 7});
    const losses = trainEpochs(core, 2);
    const evalWasm = core.evaluate(0);
    for (let e = 0; e < 2; e++) {
      const rel = Math.abs(losses[e] - native[e].train_loss) / native[e].train_loss;
      assert.ok(rel < 1e-3, `epoch ${e + 1}: wasm ${losses[e]} vs native ${native[e].train_loss}`);
    }
    assert.ok(Math.abs(evalWasm.loss - native[1].test_loss) / native[1].test_loss < 1e-3);
    assert.ok(Math.abs(evalWasm.accuracy - native[1].test_accuracy) <= 0.002);
  });

  test('weights exported from wasm load in the native CLI with the same accuracy', () => {
    const test = mnistSubset('test', 10000);
    core.loadData('test', test.images, test.labels);
    const wasmEval = core.evaluate(0); // the model trained in the previous test
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-')), 'w.mlw');
    fs.writeFileSync(file, core.exportWeights(false));
    const out = JSON.parse(
      execFileSync(cli, ['eval', '--load', file, '--json', '--data', dataDir], {encoding: 'utf8'}),
    );
    // Two builds of the same sums (wasm SIMD here, the CLI with this CPU's own
    // vector width and fused multiply-adds) round differently in the last bits,
    // which can flip a digit whose two best logits nearly tie: a few of 10,000.
    assert.ok(
      Math.abs(out.test_accuracy - wasmEval.accuracy) <= 3 / 10000,
      `native ${out.test_accuracy} vs wasm ${wasmEval.accuracy}`,
    );
  });

  test('describeWeights reads a weights file without loading it, and says what is wrong with a bad one', () => {
    core.createModel('conv(4,3)-relu-avgpool(2)-gap-dense(10)', 3);
    const conv = core.exportWeights(false);
    core.createModel('mlp-32', 1);
    const described = core.describeWeights(conv);
    assert.equal(described.ok, true);
    assert.equal(described.spec, 'conv(4,3)-relu-avgpool(2)-gap-dense(10)');
    assert.equal(described.spatial, true);
    assert.equal(described.params, 90);
    assert.equal(core.describeWeights(core.exportWeights(true)).spatial, false);
    assert.equal(core.modelInfo().spec, 'dense(32)-relu-dense(10)', 'the model in place is untouched');
    const corrupt = conv.slice();
    corrupt[corrupt.length - 20] ^= 0x01;
    assert.deepEqual(Object.keys(core.describeWeights(corrupt)), ['ok', 'error']);
    assert.match(core.describeWeights(corrupt).error, /checksum/);
    assert.match(core.describeWeights(new Uint8Array(3)).error, /truncated|not an mnist-lab weights file/);
  });

  test('bad input throws a catchable error and the module keeps working', () => {
    core.createModel('mlp-32', 1);
    const good = core.exportWeights(false);
    assert.throws(
      () => core.createModel('conv(8,3)-flatten-dense(12)'),
      (e) => e instanceof CoreError && /10 outputs/.test(e.message),
    );
    assert.throws(() => core.createModel('dense(10)-bogus'), /unknown layer 'bogus'/);
    assert.throws(() => core.createModel('nosuchpreset'), /unknown model/);
    const train = mnistSubset('train', 100);
    const badMagic = train.images.slice();
    badMagic[2] = 0x0d;
    assert.throws(() => core.loadData('train', badMagic, train.labels), /data type/);
    assert.throws(() => core.loadData('train', train.images.slice(0, 500), train.labels), /truncated/);
    assert.throws(
      () => core.loadData('train', train.images, mnistSubset('train', 99).labels),
      /100 images but 99 labels/,
    );
    const corrupt = good.slice();
    corrupt[corrupt.length >> 1] ^= 0x40;
    assert.throws(() => core.importWeights(corrupt), /checksum/);
    assert.throws(() => core.importWeights(good.slice(0, 100)), /truncated/);
    assert.throws(
      () => core.importWeights(new TextEncoder().encode('<html>not weights</html>')),
      /not an mnist-lab weights file/,
    );
    assert.throws(() => core.predict(new Float32Array(10)), /784/);
    assert.throws(() => core.startTraining({epochs: 0}), /epochs/);
    // Still alive: the model from before the errors predicts, a new one builds.
    assert.equal(core.modelInfo().params, 25450);
    assert.equal(core.predict(new Float32Array(784)).length, 10);
    assert.equal(core.importWeights(good).params, 25450);
    assert.equal(core.createModel('cnn', 2).params, 225034);
  });

  test('a split written in as it downloads, in pieces of any size, is the split loadData loads', async () => {
    const train = mnistSubset('train', 300);
    const other = await loadCore();
    /** Writes bytes through a staged file in pieces of the given sizes (cycled). */
    const writeIn = (file, bytes, sizes) => {
      for (let at = 0, i = 0; at < bytes.length; i++) {
        const n = sizes[i % sizes.length];
        file.write(bytes.subarray(at, at + n));
        at += n;
      }
    };
    other.loadData('train', train.images, train.labels);
    // Pieces of 1, 3 and 7 bytes cut the 16-byte header every way, then larger ones.
    const images = core.stagedFile('train', 'images');
    const labels = core.stagedFile('train', 'labels');
    writeIn(images, train.images, [1, 3, 7, 4096, 65536]);
    writeIn(labels, train.labels, [5]);
    assert.equal(images.written, train.images.length);
    core.loadStaged('train', images.written, labels.written);
    assert.equal(core.count('train'), 300);
    assert.deepEqual(core.labels('train'), other.labels('train'));
    for (const i of [0, 1, 150, 299]) assert.deepEqual(core.image('train', i), other.image('train', i));

    // A bad header is refused at its first bytes; a file longer than its header says, at the
    // piece that overflows; one cut short, when loaded. The loaded split stays throughout.
    const bad = core.stagedFile('test', 'images');
    assert.throws(() => bad.write(Uint8Array.of(0, 0, 0x0d, 3)), /test images: unsupported IDX data type 0xd/);
    const long = core.stagedFile('train', 'labels');
    long.write(train.labels);
    assert.throws(() => long.write(Uint8Array.of(1)), /train labels: the file is longer than the 308 bytes/);
    const short = core.stagedFile('train', 'images');
    short.write(train.images.subarray(0, 1000));
    assert.throws(
      () => core.loadStaged('train', short.written, long.written),
      /train images: truncated: header declares 235200 bytes of data, file has 984/,
    );
    assert.equal(core.count('train'), 300);
    // A closed file takes no more; unstage lets the room go.
    const closed = core.stagedFile('test', 'labels');
    closed.write(mnistSubset('test', 10).labels.subarray(0, 8));
    closed.close();
    assert.throws(() => closed.write(Uint8Array.of(1)), /test labels: the download was given up/);
    const tests = core.count('test');
    core.unstage('test');
    assert.throws(() => core.loadStaged('test', 0, 0), /test images: empty file/);
    assert.equal(core.count('test'), tests);
  });

  test('a refused training start keeps the model in place, weights and all', () => {
    const train = mnistSubset('train', 200);
    core.loadData('train', train.images, train.labels);
    core.createModel('mlp-32', 4);
    const before = core.exportWeights(false);
    const image = new Float32Array(784).map((_, i) => (i % 7) / 7);
    const probs = core.predict(image);
    for (const [model, cfg, error] of [
      ['mlp', {lr: 1e-300}, /^learning rate must be in \(0, 10\], got 0$/],
      ['conv(4,3)-relu-flatten-dense(10)', {optimizer: 'rmsprop'}, /rmsprop/],
      ['mlp', {epochs: 0}, /^epochs must be 1\.\.1000, got 0$/],
      ['dense(12)', {}, /10 outputs/],
    ])
      assert.throws(
        () => core.startNewTraining(model, {seed: 1, ...cfg}),
        (e) => e instanceof CoreError && error.test(e.message),
      );
    assert.deepEqual(core.exportWeights(false), before);
    assert.deepEqual(core.predict(image), probs);
    assert.equal(core.modelInfo().layers.length, 3);
    // A good start replaces the model and starts its run in one call.
    const info = core.startNewTraining('tiny-cnn', {seed: 2, epochs: 1, batch: 50});
    assert.equal(info.params, 4266);
    assert.deepEqual(core.modelInfo(), info);
    assert.equal(core.train(1).step, 1);
  });

  test('the single-thread build stays at one thread; the pthreads build imports shared memory', (t) => {
    assert.equal(core.setThreads(4), 1);
    assert.equal(core.threads(), 1);
    // build/wasm-mt runs only in a browser (its threads are Web Workers): tests/e2e/threads.test.mjs
    // runs it, tests/core/test_parallel.cpp proves the threaded product bit-identical.
    let imports;
    try {
      imports = execFileSync('wasm-objdump', ['-x', '-j', 'Import', path.join(root, 'build/wasm-mt/mnist_lab.wasm')], {
        encoding: 'utf8',
      });
    } catch {
      t.skip('wasm-objdump (Debian wabt) not installed');
      return;
    }
    assert.match(imports, /memory\[0\].* shared/);
  });

  test('the shipped module contains SIMD in its hot loops', (t) => {
    let dis;
    try {
      dis = execFileSync('wasm-objdump', ['-d', path.join(root, 'build/wasm/mnist_lab.wasm')], {
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      });
    } catch {
      t.skip('wasm-objdump (Debian wabt) not installed');
      return;
    }
    const count = (re) => (dis.match(re) || []).length;
    // A scalar build has none. The packed GEMM (core/nn/kernels/gemm.cpp) has far
    // less code than Eigen's product it replaced (~90 of each, not hundreds).
    assert.ok(count(/f32x4\.mul/g) > 50, 'f32x4.mul');
    assert.ok(count(/f32x4\.add/g) > 50, 'f32x4.add');
  });
});
