// Run by fma.test.mjs under node --experimental-wasm-relaxed-simd (node 20's V8
// has relaxed SIMD behind that flag): the same seed trains the same small CNN in
// the plain SIMD build and the fused multiply-add build; prints both runs as JSON.
import {loadCore, mnistSubset, trainToEnd} from './support.mjs';

const n = 640;
const spec = 'conv(4,3)-relu-pool(2)-conv(8,3)-relu-flatten-dense(32)-relu-dense(10)';
const train = mnistSubset('train', n);
const test = mnistSubset('test', 2000);
const out = {};
for (const build of ['build/wasm', 'build/wasm-fma']) {
  const core = await loadCore(build);
  core.loadData('train', train.images, train.labels);
  core.loadData('test', test.images, test.labels);
  core.createModel(spec, 3);
  core.startTraining({epochs: 2, batch: 32, lr: 0.002, optimizer: 'adam', schedule: 'cosine', seed: 3});
  out[build] = {fma: core.fma(), losses: trainToEnd(core), test: core.evaluate(0)};
}
console.log(JSON.stringify(out));
