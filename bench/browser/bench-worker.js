// The wasm side of the Chromium benchmark, in a module worker as the page's own
// worker is, through the same Core face (web/src/engine/core.js). Tasks:
//   train          samples/s per model on synthetic data, after a warm-up
//   predict-init   one model with its shipped weights, ready for `predict`
//   predict        one drawing-pad prediction as web/src/worker.js answers it:
//                  predictDrawing, the 28x28 input and every layer's activation,
//                  copied (into the spare buffer the page sent back, if any) and
//                  transferred back; `ms` is the time spent in here
//   heap           full MNIST loaded (train and test, as the page does), cnn
//                  trained for `batches` batches (0: one epoch), evaluated on
//                  the test set; the wasm memory size at each stage
import {Core} from '../../web/src/engine/core.js';
import {syntheticSet} from './synthetic.js';

const loadCore = async (build) => Core.load((await import(`../../build/${build}/mnist_lab.mjs`)).default);
const mb = (bytes) => bytes / 2 ** 20;

async function train(cfg) {
  const core = await loadCore(cfg.build);
  const set = syntheticSet(4096);
  core.loadData('train', set.images, set.labels);
  const result = {build: cfg.build, batch: cfg.batch, userAgent: navigator.userAgent, train_samples_per_second: {}};
  for (const model of cfg.models) {
    core.createModel(model, 1);
    core.startTraining({epochs: 1000, batch: cfg.batch, lr: 1e-3, schedule: 'constant'});
    const warmEnd = performance.now() + (cfg.warmSeconds ?? 1.5) * 1000;
    while (performance.now() < warmEnd) core.train(1);
    let batches = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < cfg.seconds * 1000) {
      core.train(1);
      batches++;
    }
    result.train_samples_per_second[model] = (batches * cfg.batch) / ((performance.now() - t0) / 1000);
  }
  result.heap_mb = mb(core.heapBytes());
  return result;
}

let predictor = null; // {core, layers}

async function predictInit(cfg) {
  const core = await loadCore(cfg.build);
  const weights = new Uint8Array(await (await fetch(cfg.weights)).arrayBuffer());
  const info = core.importWeights(weights);
  predictor = {core, layers: info.layers.length};
  return {ready: true, model: cfg.model, spec: info.spec, layers: info.layers.length};
}

// As web/src/worker.js's predictionReply: the activations are views into one
// buffer, refilling the spare the page hands back (bench-page.js keeps it as
// web/src/lab.js does), and the drawing's buffer goes back for the next one.
function predict({pixels, width, height, spare}) {
  const t0 = performance.now();
  const {core, layers} = predictor;
  const probs = core.predictDrawing(pixels, width, height);
  const input = core.input();
  const activations = core.activations(layers, spare);
  const ms = performance.now() - t0;
  return {
    reply: {probs, input, activations, pixels, ms},
    transfer: [probs.buffer, input.buffer, activations[0].buffer, pixels.buffer],
  };
}

async function heap(cfg) {
  const core = await loadCore(cfg.build);
  const stages = {start: mb(core.heapBytes())};
  const get = async (name) => new Uint8Array(await (await fetch(`${cfg.data}/${name}`)).arrayBuffer());
  core.loadData('train', await get('train-images-idx3-ubyte'), await get('train-labels-idx1-ubyte'));
  core.loadData('test', await get('t10k-images-idx3-ubyte'), await get('t10k-labels-idx1-ubyte'));
  stages.data_loaded = mb(core.heapBytes());
  core.createModel(cfg.model, 1);
  core.startTraining({epochs: 1, batch: cfg.batch, lr: 2e-3, schedule: 'onecycle', augment: true});
  const t0 = performance.now();
  let p = core.train(1);
  const want = cfg.batches > 0 ? Math.min(cfg.batches, p.batches_per_epoch) : p.batches_per_epoch;
  while (p.step < want && !p.finished) p = core.train(Math.min(25, want - p.step));
  const seconds = (performance.now() - t0) / 1000;
  stages.trained = mb(core.heapBytes());
  const ev = core.evaluate(0);
  stages.evaluated = mb(core.heapBytes());
  return {
    model: cfg.model,
    batch: cfg.batch,
    batches: p.step,
    batches_per_epoch: p.batches_per_epoch,
    train_count: core.count('train'),
    train_seconds: seconds,
    samples_per_second: (p.step * cfg.batch) / seconds,
    train_loss: p.loss,
    test_accuracy: ev.accuracy,
    heap_mb: stages,
    peak_heap_mb: Math.max(...Object.values(stages)),
  };
}

self.onmessage = async ({data: cfg}) => {
  try {
    if (cfg.task === 'predict') {
      const {reply, transfer} = predict(cfg);
      self.postMessage(reply, transfer);
      return;
    }
    const run = {train, 'predict-init': predictInit, heap}[cfg.task];
    if (!run) throw new Error(`unknown task ${cfg.task}`);
    self.postMessage(await run(cfg));
  } catch (e) {
    self.postMessage({error: String(e?.message || e)});
  }
};
