// The model worker (web/src/worker.js) answering the Draw view's requests, in node: a stand-in
// `self` carries the messages, the module is the one built in build/wasm, and the data and
// weights come from a local static server, as in the page.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import {register} from 'node:module';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {gzipSync} from 'node:zlib';

import {Notice, Reply, Request, checkReply} from '../../web/src/protocol.js';
import {serve} from '../e2e/support/server.js';
import {idx, readIdx, root} from './support.mjs';

// The worker imports the module script from web/src/wasm (the site build copies it there); node
// takes it from build/wasm, beside the binary handed over in INIT.
const built = new URL(`file://${path.join(root, 'build/wasm/mnist_lab.mjs')}`).href;
register(
  `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === './wasm/mnist_lab.mjs') return {url: ${JSON.stringify(built)}, shortCircuit: true};
  return next(specifier, context);
}`)}`,
);

const posted = [];
const waiting = new Set();
globalThis.self = /** @type {any} */ ({
  postMessage(msg) {
    posted.push(msg);
    for (const w of waiting) w();
  },
  close() {},
  addEventListener() {},
  removeEventListener() {},
  navigator: {},
});

/** The first posted message that `match` accepts (waiting for it if need be). */
function next(match) {
  return new Promise((resolve) => {
    const look = () => {
      const found = posted.find(match);
      if (found) {
        waiting.delete(look);
        resolve(found);
      }
    };
    waiting.add(look);
    look();
  });
}

let nextId = 1;
/** Sends a request; resolves with its checked reply (rejects with the worker's error). */
async function request(type, payload = {}) {
  const id = nextId++;
  self.onmessage({data: {type, id, ...payload}});
  return checkReply(type, await next((m) => m.id === id));
}

let server;
let urls;
before(async () => {
  server = await serve(path.join(root, 'web'));
  const data = (f) => `${server.url}public/data/${f}.gz`;
  urls = {
    trainImages: data('train-images-idx3-ubyte'),
    trainLabels: data('train-labels-idx1-ubyte'),
    testImages: data('t10k-images-idx3-ubyte'),
    testLabels: data('t10k-labels-idx1-ubyte'),
  };
  await import('../../web/src/worker.js');
  const module = await WebAssembly.compile(fs.readFileSync(path.join(root, 'build/wasm/mnist_lab.wasm')));
  self.onmessage({data: {type: Request.INIT, module}});
  await next((m) => m.type === Reply.READY);
  await request(Request.LOAD_WEIGHTS, {url: `${server.url}public/weights/cnn.mlw`});
});
after(() => {
  self.onmessage({data: {type: Request.TEST_CLOSE}}); // closes the worker's MessageChannel, which keeps node alive
  server?.close();
});

const testImages = readIdx('t10k-images-idx3-ubyte');
const testLabels = readIdx('t10k-labels-idx1-ubyte');
const digit = (i) => Float32Array.from(testImages.subarray(16 + i * 784, 16 + (i + 1) * 784), (v) => v / 255);
const argmax = (p) => p.indexOf(Math.max(...p));

/** A 140x140 drawing of test digit i, each pixel a 5x5 square. */
function drawing(i) {
  const image = digit(i);
  const px = new Float32Array(140 * 140);
  for (let y = 0; y < 140; y++)
    for (let x = 0; x < 140; x++) px[y * 140 + x] = image[Math.floor(y / 5) * 28 + Math.floor(x / 5)];
  return px;
}

describe('worker: the Draw view requests', () => {
  test('PREPARE, PREDICT_IMAGE and SWEEP agree with each other', async () => {
    const pixels = drawing(0);
    const centred = await request(Request.PREPARE, {pixels, width: 140, height: 140, centre: true});
    assert.equal(centred.image.length, 784);
    assert.equal(argmax(centred.probs), testLabels[8]);
    const moved = await request(Request.PREPARE, {pixels, width: 140, height: 140, centre: true, dx: 3, angle: 0});
    const again = await request(Request.PREDICT_IMAGE, {image: moved.image});
    assert.deepEqual(again.probs, moved.probs);
    const swept = await request(Request.SWEEP, {image: centred.image, axis: 'x', values: [0, 3]});
    assert.deepEqual(swept.values, [0, 3]);
    assert.equal(swept.probs.length, 20);
    for (let c = 0; c < 10; c++) {
      assert.ok(Math.abs(swept.probs[c] - centred.probs[c]) < 1e-6);
      assert.ok(Math.abs(swept.probs[10 + c] - moved.probs[c]) < 1e-6);
    }
    // Asked for them, PREPARE gives the activations of the image it read: with no move, those
    // of the drawing path; moved, those of the moved digit.
    const seen = await request(Request.PREPARE, {pixels, width: 140, height: 140, centre: true, activations: true});
    const drawn = await request(Request.PREDICT_DRAWING, {
      pixels: pixels.slice(),
      width: 140,
      height: 140,
      activations: true,
    });
    assert.equal(centred.activations, null, 'no activations unless asked');
    assert.equal(seen.activations.length, drawn.activations.length);
    seen.activations.forEach((a, i) => assert.deepEqual(a, drawn.activations[i], `layer ${i}`));
    const shifted = await request(Request.PREPARE, {pixels, width: 140, height: 140, dx: 3, activations: true});
    assert.notDeepEqual(shifted.activations[0], seen.activations[0], 'the first layer sees the moved digit');
    await assert.rejects(request(Request.PREPARE, {pixels, width: 140, height: 140, thickness: 9}), /-2\.\.2/);
    await assert.rejects(request(Request.PREDICT_IMAGE, {image: new Float32Array(5)}), /784 pixels/);
  });

  test('SALIENCY and FOOL', async () => {
    const image = digit(1);
    const cls = testLabels[9];
    const s = await request(Request.SALIENCY, {image, cls});
    assert.equal(s.cls, cls);
    assert.equal(s.gradient.length, 784);
    assert.equal(s.occlusion.length, 784);
    assert.equal(argmax(s.probs), cls);
    assert.ok(s.gradient.some((g) => g !== 0));
    const target = (cls + 5) % 10;
    const f = await request(Request.FOOL, {image, target, epsilon: 0.3, step: 0.02, maxSteps: 100});
    assert.ok(f.reached);
    assert.equal(argmax(f.probs), target);
    assert.ok(f.linf <= 0.3 + 1e-6 && f.l1 > 0 && f.steps > 0);
    await assert.rejects(request(Request.SALIENCY, {image, cls: 12}), /0\.\.9/);
  });

  test('READ_IDX reads raw and gzipped pairs and names what is wrong', async () => {
    const images = idx([2, 28, 28], testImages.subarray(16, 16 + 2 * 784));
    const labels = idx([2], testLabels.subarray(8, 10));
    const raw = await request(Request.READ_IDX, {images, labels});
    assert.equal(raw.count, 2);
    assert.deepEqual(raw.labels, testLabels.subarray(8, 10));
    const zipped = await request(Request.READ_IDX, {images: new Uint8Array(gzipSync(images)), labels});
    assert.deepEqual(zipped.images, raw.images);
    await assert.rejects(request(Request.READ_IDX, {images: labels, labels}), /your digits/);
    await assert.rejects(
      request(Request.READ_IDX, {images: new Uint8Array([0x1f, 0x8b, 1, 2, 3]), labels}),
      /gzipped but does not inflate/,
    );
  });

  test('STEP_TRACE moves the weights by the change it reports', async () => {
    const before = (await request(Request.PARAMS)).params;
    const t = await request(Request.STEP_TRACE, {image: digit(2), label: testLabels[10], lr: 0.01});
    const {params: afterwards, info} = await request(Request.PARAMS);
    assert.equal(t.layers.length, info.layers.length);
    const dense = info.layers.length - 1;
    const {offset} = info.layers[dense];
    assert.deepEqual(
      t.layers.map((l) => [l.token, l.kind, l.shape, l.offset]),
      info.layers.map((l) => [l.token, l.kind, l.shape, l.offset]),
    );
    t.layers[dense].change.forEach((d, k) => assert.equal(afterwards[offset + k], Math.fround(before[offset + k] + d)));
    await request(Request.LOAD_WEIGHTS, {url: `${server.url}public/weights/cnn.mlw`}); // back to the shipped model
  });

  test('LOAD_DATA refuses a damaged download with its reason and loads the split from good files after', async () => {
    // Before any test loads the test split: each damaged file in its own folder, the others good.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-damaged-'));
    fs.writeFileSync(path.join(dir, 'index.html'), '');
    const damaged = await serve(dir);
    try {
      const put = (folder, file, bytes) => {
        fs.mkdirSync(path.join(dir, folder), {recursive: true});
        fs.writeFileSync(path.join(dir, folder, file), bytes);
        return `${damaged.url}${folder}/${file}`;
      };
      const images = 't10k-images-idx3-ubyte.gz';
      const labels = 't10k-labels-idx1-ubyte.gz';
      const zipped = gzipSync(testImages);
      const cases = [
        [{testImages: put('html', images, gzipSync('<html>not the digits</html>'))}, /test images: not an IDX file/],
        [
          {testImages: put('cut', images, zipped.subarray(0, zipped.length >> 1))},
          /Could not read the MNIST file t10k-images-idx3-ubyte\.gz: the download broke off or the file is damaged/,
        ],
        [
          {testLabels: put('long', labels, gzipSync(Buffer.concat([testLabels, Buffer.from([3])])))},
          /test labels: the file is longer than the 10008 bytes its header declares/,
        ],
        [
          {testLabels: `${damaged.url}missing/${labels}`},
          /Could not download the MNIST file .*: the server answered 404/,
        ],
      ];
      for (const [swap, reason] of cases) {
        await assert.rejects(request(Request.LOAD_DATA, {urls: {...urls, ...swap}, splits: ['test']}), reason);
      }
      const loaded = await request(Request.LOAD_DATA, {urls, splits: ['test']});
      assert.equal(loaded.test, 10000);
      const sample = await request(Request.TEST_IMAGES, {indices: [9999]});
      assert.deepEqual(sample.pixels, testImages.subarray(16 + 9999 * 784, 16 + 10000 * 784));
    } finally {
      await damaged.close();
      fs.rmSync(dir, {recursive: true, force: true});
    }
  });

  test('FINETUNE loads the data, reports progress, holds and stops like a run, and answers with the evaluation', async () => {
    const images = testImages.slice(16, 16 + 4 * 784);
    const labels = testLabels.slice(8, 12);
    const held = request(Request.TEST_HOLD, {steps: 3});
    const done = request(Request.FINETUNE, {images, labels, urls, steps: 20, batch: 16});
    assert.equal((await held).step, 3);
    const progress = await next((m) => m.type === Notice.FINETUNE_PROGRESS);
    assert.equal(progress.total_steps, 20);
    await assert.rejects(request(Request.STEP_TRACE, {image: digit(0), label: 1, lr: 0.1}), /stop the training run/);
    // A training run would end the fine-tune: it is refused, and the fine-tune goes on.
    await assert.rejects(request(Request.TRAIN, {model: 'linear', config: {epochs: 1}}), /fine-tuning on your digits/);
    await request(Request.STOP);
    await request(Request.TEST_RELEASE);
    const r = await done;
    assert.equal(r.reason, 'stopped');
    assert.equal(r.steps, 3);
    assert.equal(r.evaluation.count, 10000);
    assert.ok(r.evaluation.accuracy > 0.98, `${r.evaluation.accuracy}`);
    const full = await request(Request.FINETUNE, {images, labels, steps: 10, batch: 16});
    assert.equal(full.reason, 'finished');
    assert.equal(full.steps, 10);
    await assert.rejects(request(Request.FINETUNE, {images, labels: new Uint8Array(3)}), /784 pixels per label/);
  });
});
