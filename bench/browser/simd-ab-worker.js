// One build of the core in a module worker, training one model on synthetic
// data in timed windows on request: {init: {build, model, batch}} once, then
// {window: seconds} any number of times -> {samples_per_second}.
import {Core} from '../../web/src/engine/core.js';

let core = null;
let batch = 64;

function syntheticSet(n) {
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  const idx = (dims, data) => {
    const out = new Uint8Array(4 + 4 * dims.length + data.length);
    const view = new DataView(out.buffer);
    out[2] = 0x08;
    out[3] = dims.length;
    dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
    out.set(data, 4 + 4 * dims.length);
    return out;
  };
  return {images: idx([n, 28, 28], new Uint8Array(n * 784).map(rand)), labels: idx([n], new Uint8Array(n).map(() => rand() % 10))};
}

async function init(cfg) {
  core = await Core.load((await import(`../../build/${cfg.build}/mnist_lab.mjs`)).default);
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
    self.postMessage({error: String((e && e.message) || e)});
  }
};
