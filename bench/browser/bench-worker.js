// Trains each model on synthetic data through the same Core face the page's
// worker uses, warming up before timing, and reports samples/s per model.
import {Core} from '../../web/src/engine/core.js';

function idx(dims, data) {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

function syntheticSet(n) {
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  const images = new Uint8Array(n * 784).map(rand);
  const labels = new Uint8Array(n).map(() => rand() % 10);
  return {images: idx([n, 28, 28], images), labels: idx([n], labels)};
}

self.onmessage = async ({data: cfg}) => {
  try {
    const {default: factory} = await import(`../../build/${cfg.build}/mnist_lab.mjs`);
    const core = await Core.load(factory);
    const set = syntheticSet(4096);
    core.loadData('train', set.images, set.labels);
    const result = {build: cfg.build, batch: cfg.batch, userAgent: navigator.userAgent, train_samples_per_second: {}};
    for (const model of cfg.models) {
      core.createModel(model, 1);
      core.startTraining({epochs: 1000, batch: cfg.batch, lr: 1e-3, schedule: 'constant'});
      const warmEnd = performance.now() + 1500;
      while (performance.now() < warmEnd) core.train(1);
      let batches = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < cfg.seconds * 1000) {
        core.train(1);
        batches++;
      }
      result.train_samples_per_second[model] = (batches * cfg.batch) / ((performance.now() - t0) / 1000);
    }
    result.heap_mb = core.heapBytes() / 2 ** 20;
    self.postMessage(result);
  } catch (e) {
    self.postMessage({error: String(e && e.message || e)});
  }
};
