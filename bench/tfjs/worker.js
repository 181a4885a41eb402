// The TensorFlow.js peer of bench/browser/bench-worker.js: trains the same
// architectures (mlp, cnn, lenet5: see `mnist-lab presets`) at the same batch
// size on the same kind of synthetic 28x28 data, with Adam and softmax
// cross-entropy, in a (classic) Web Worker on one backend: wasm, cpu or webgl.
// Everything is served from this folder's node_modules (npm install here), so
// the page needs no network beyond the local server. Replies with
// {backend, ..., models: {name: {samples_per_second, batches, seconds, params} | {error}}}, or
// {backend, unavailable: why} when the backend cannot start here.
/* global tf */
const dist = (pkg) => `./node_modules/@tensorflow/${pkg}/dist/`;
importScripts(`${dist('tfjs')}tf.min.js`, `${dist('tfjs-backend-wasm')}tf-backend-wasm.min.js`);

// Two 'valid' convolutions (as our conv(F,K) is), each with relu and a 2x2
// max-pool, then dense layers with relu and a 10-way output; channels last
// (TF.js convolutions run NHWC).
const convNet = ([f1, f2], kernelSize, hidden, dropout = 0) => [
  tf.layers.conv2d({inputShape: [28, 28, 1], filters: f1, kernelSize, activation: 'relu'}),
  tf.layers.maxPooling2d({poolSize: 2}),
  tf.layers.conv2d({filters: f2, kernelSize, activation: 'relu'}),
  tf.layers.maxPooling2d({poolSize: 2}),
  tf.layers.flatten(),
  ...hidden.map((units) => tf.layers.dense({units, activation: 'relu'})),
  ...(dropout ? [tf.layers.dropout({rate: dropout})] : []),
  tf.layers.dense({units: 10}),
];

// Our presets' layer specs.
const ARCHS = {
  // dense(512)-relu-dense(256)-relu-dense(10)
  mlp: () => [
    tf.layers.flatten({inputShape: [28, 28, 1]}),
    tf.layers.dense({units: 512, activation: 'relu'}),
    tf.layers.dense({units: 256, activation: 'relu'}),
    tf.layers.dense({units: 10}),
  ],
  // conv(32,3)-relu-pool(2)-conv(64,3)-relu-pool(2)-flatten-dense(128)-relu-dropout(0.3)-dense(10)
  cnn: () => convNet([32, 64], 3, [128], 0.3),
  // conv(6,5)-relu-pool(2)-conv(16,5)-relu-pool(2)-flatten-dense(120)-relu-dense(84)-relu-dense(10)
  lenet5: () => convNet([6, 16], 5, [120, 84]),
};

function buildModel(name) {
  const model = tf.sequential({layers: ARCHS[name]()});
  // Softmax cross-entropy on the logits, as our loss does.
  model.compile({optimizer: tf.train.adam(1e-3), loss: (y, logits) => tf.losses.softmaxCrossEntropy(y, logits)});
  return model;
}

// A few batches of random pixels and labels from the same generator as our
// bench's synthetic set, kept as tensors and cycled (this favours TF.js a
// little: our core assembles and converts every batch from uint8).
function syntheticBatches(count, batch) {
  let s = 12345;
  const rand = () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return (s >>> 16) & 0xff;
  };
  const out = [];
  for (let b = 0; b < count; b++) {
    const x = new Float32Array(batch * 784).map(() => rand() / 255);
    const labels = Int32Array.from({length: batch}, () => rand() % 10);
    out.push({x: tf.tensor4d(x, [batch, 28, 28, 1]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat()});
  }
  return out;
}

// Warm-up: at least one batch and `warmSeconds`; then timed batches until at
// least `seconds` and two batches have passed, or `capSeconds` (after one batch)
// for the very slow configurations (cnn on the cpu backend: seconds per batch).
async function timeTraining(model, batches, {seconds, warmSeconds, capSeconds}) {
  let i = 0;
  const step = async () => {
    const {x, y} = batches[i++ % batches.length];
    await model.trainOnBatch(x, y); // resolves once the loss is read back: the step is done
  };
  const warm0 = performance.now();
  do await step();
  while (performance.now() - warm0 < warmSeconds * 1000 && performance.now() - warm0 < capSeconds * 1000);
  let n = 0;
  const t0 = performance.now();
  for (;;) {
    await step();
    n++;
    const s = (performance.now() - t0) / 1000;
    if ((s >= seconds && n >= 2) || s >= capSeconds) return {batches: n, seconds: s};
  }
}

self.onmessage = async ({data: cfg}) => {
  const result = {
    backend: cfg.backend,
    batch: cfg.batch,
    tfjs: tf.version.tfjs,
    userAgent: navigator.userAgent,
    models: {},
  };
  try {
    tf.wasm.setWasmPaths(dist('tfjs-backend-wasm'));
    if (!(await tf.setBackend(cfg.backend))) throw new Error(`backend ${cfg.backend} failed to initialise`);
    await tf.ready();
    if (cfg.backend === 'wasm') {
      result.wasm_simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      result.wasm_threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    }
    if (cfg.backend === 'webgl') {
      const gl = tf.backend().gpgpu.gl;
      const info = gl.getExtension('WEBGL_debug_renderer_info');
      result.renderer = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
    }
  } catch (e) {
    self.postMessage({...result, unavailable: String(e?.message || e)});
    return;
  }
  const batches = syntheticBatches(4, cfg.batch);
  for (const name of cfg.models) {
    const model = buildModel(name);
    try {
      const t = await timeTraining(model, batches, cfg);
      result.models[name] = {
        samples_per_second: (t.batches * cfg.batch) / t.seconds,
        ...t,
        params: model.countParams(),
      };
    } catch (e) {
      // TF.js 4.22's wasm backend has no Conv2DBackpropFilter kernel: it cannot train convolutions.
      result.models[name] = {error: String(e?.message || e)};
    } finally {
      model.dispose();
    }
  }
  self.postMessage(result);
};
