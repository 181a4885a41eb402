// One build of the core in a module worker, training one model on synthetic
// data in timed windows on request: {init: {build, model, batch, threads}} once,
// then {window: seconds} any number of times -> {samples_per_second}; init replies
// {ready}. `threads` (default 1) is for the pthreads build (wasm-mt, in a
// cross-origin isolated page): it gets a pool of threads - 1 workers. Used by
// simd-ab and threads-ab.
import {Core} from '../../web/src/engine/core.js';
import {syntheticSet} from './synthetic.js';

let core = null;
let batch = 64;

async function init(cfg) {
  const threads = cfg.threads || 1;
  core = await Core.load((await import(`../../build/${cfg.build}/mnist_lab.mjs`)).default, {
    mnistPool: Math.max(1, threads - 1),
  });
  if (threads > 1 && core.setThreads(threads) !== threads)
    throw new Error(`build/${cfg.build} cannot run ${threads} threads`);
  batch = cfg.batch;
  const set = syntheticSet(4096);
  core.loadData('train', set.images, set.labels);
  core.createModel(cfg.model, 1);
  core.startTraining({epochs: 1000, batch, lr: 1e-3, schedule: 'constant'});
  return {ready: true};
}

function trainWindow(seconds) {
  let batches = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    core.train(1);
    batches++;
  }
  return {samples_per_second: (batches * batch) / ((performance.now() - t0) / 1000)};
}

self.onmessage = async ({data}) => {
  try {
    self.postMessage(data.init ? await init(data.init) : trainWindow(data.window));
  } catch (e) {
    self.postMessage({error: String(e?.message || e)});
  }
};
