// Our presets (mlp, cnn, lenet5: see `mnist-lab presets`) in jax-js, trained the
// JAX way: a pure loss over a params pytree, valueAndGrad of it, and the whole
// step (forward, backward, Adam) in one jit. Adam is written out here (the
// optax-style @jax-js/optax is not published on npm); it is Adam as our core
// and TF.js run it: lr 1e-3, β1 0.9, β2 0.999, ε 1e-7, bias-corrected step size.
// Plain ES module, no DOM: worker.js runs it in Chromium, node can import it.
// jax-js's reference counting: every function takes ownership of the arrays
// passed to it, so an array used twice is passed as `.ref` the first time.
import {
  blockUntilReady,
  jit,
  lax,
  nn,
  numpy as np,
  random,
  tree,
  valueAndGrad,
} from './node_modules/@jax-js/jax/dist/index.js';

import {syntheticSet} from '../browser/synthetic.js';

/** A dense layer's weights, uniform in ±1/sqrt(fan-in), and zero biases. */
function dense(key, inputs, units) {
  const s = 1 / Math.sqrt(inputs);
  return {w: random.uniform(key, [inputs, units], {minval: -s, maxval: s}), b: np.zeros([units])};
}

/** A conv layer's kernel (out, in, k, k) and per-channel bias (out, 1, 1) for NCHW. */
function conv(key, inputs, filters, k) {
  const s = 1 / Math.sqrt(inputs * k * k);
  return {w: random.uniform(key, [filters, inputs, k, k], {minval: -s, maxval: s}), b: np.zeros([filters, 1, 1])};
}

const denseApply = (x, {w, b}) => np.dot(x, w).add(b);
// 'valid' convolution (as our conv(F,K) is), relu, 2x2 max-pool of stride 2
// (floor at the edges, as pool(2)): x (N, C, H, W) -> (N, F, (H-K+1)/2, (W-K+1)/2)
const convBlock = (x, {w, b}) =>
  lax.reduceWindow(nn.relu(lax.conv(x, w, [1, 1], 'VALID').add(b)), np.max, [2, 2], [2, 2]);

/** Inverted dropout: keeps each unit with probability 1 - rate and scales it by 1/(1 - rate). */
function dropout(x, rate, key) {
  const keep = random.bernoulli(key, 1 - rate, x.shape).astype(np.float32);
  return x.mul(keep).mul(1 / (1 - rate));
}

/**
 * Two conv blocks, then dense layers with relu (dropout after the last hidden
 * one, if any) and a 10-way output of logits; as bench/tfjs/worker.js builds it.
 */
function convNet([f1, f2], k, hidden, rate = 0) {
  const side = Math.floor((Math.floor((28 - k + 1) / 2) - k + 1) / 2);
  const widths = [f2 * side * side, ...hidden, 10];
  return {
    rate,
    init(key) {
      const keys = [...random.split(key, 2 + widths.length - 1)];
      return {
        convs: [conv(keys[0], 1, f1, k), conv(keys[1], f1, f2, k)],
        dense: widths.slice(1).map((units, i) => dense(keys[2 + i], widths[i], units)),
      };
    },
    // x: (N, 1, 28, 28) -> logits (N, 10)
    forward(params, x, key) {
      let h = params.convs.reduce(convBlock, x);
      h = h.reshape([h.shape[0], -1]);
      const last = params.dense.length - 1;
      params.dense.forEach((layer, i) => {
        h = denseApply(h, layer);
        if (i < last) h = nn.relu(h);
        if (i === last - 1 && rate) h = dropout(h, rate, key);
      });
      return h;
    },
  };
}

// Our presets' layer specs.
export const ARCHS = {
  // dense(512)-relu-dense(256)-relu-dense(10)
  mlp: {
    rate: 0,
    init(key) {
      const [k1, k2, k3] = random.split(key, 3);
      return {dense: [dense(k1, 784, 512), dense(k2, 512, 256), dense(k3, 256, 10)]};
    },
    forward(params, x) {
      const [l1, l2, l3] = params.dense;
      const h = nn.relu(denseApply(nn.relu(denseApply(x.reshape([x.shape[0], 784]), l1)), l2));
      return denseApply(h, l3);
    },
  },
  // conv(32,3)-relu-pool(2)-conv(64,3)-relu-pool(2)-flatten-dense(128)-relu-dropout(0.3)-dense(10)
  cnn: convNet([32, 64], 3, [128], 0.3),
  // conv(6,5)-relu-pool(2)-conv(16,5)-relu-pool(2)-flatten-dense(120)-relu-dense(84)-relu-dense(10)
  lenet5: convNet([6, 16], 5, [120, 84]),
};

const ADAM = {lr: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-7};

/** One Adam update of every leaf; lrT: the bias-corrected step size, a scalar array. */
function adam(params, grads, m, v, lrT) {
  const {b1, b2, eps} = ADAM;
  const m1 = tree.map((mi, g) => mi.mul(b1).add(g.mul(1 - b1)), m, tree.ref(grads));
  const v1 = tree.map((vi, g) => vi.mul(b2).add(g.ref.mul(g).mul(1 - b2)), v, grads);
  const p1 = tree.map(
    (p, mi, vi) => p.sub(mi.mul(lrT.ref).div(np.sqrt(vi).add(eps))),
    params,
    tree.ref(m1),
    tree.ref(v1),
  );
  lrT.dispose();
  return {params: p1, m: m1, v: v1};
}

/** Mean softmax cross-entropy of logits (N, 10) against one-hot labels y (N, 10). */
const softmaxCrossEntropy = (logits, y) =>
  nn
    .logSoftmax(logits)
    .mul(y)
    .sum()
    .mul(-1 / y.shape[0]);

/** The jitted training step: ({params, m, v}, lrT, x, y[, key]) -> {loss, params, m, v} */
function makeStep(arch) {
  const loss = (params, x, y, ...key) => softmaxCrossEntropy(arch.forward(params, x, ...key), y);
  return jit(({params, m, v}, lrT, x, y, ...key) => {
    const [value, grads] = valueAndGrad(loss)(tree.ref(params), x, y, ...key);
    return {loss: value, ...adam(params, grads, m, v, lrT)};
  });
}

/**
 * `count` batches of synthetic digits from the generator our bench trains on
 * (bench/browser/synthetic.js: the same LCG pixels and labels), kept on the
 * device as arrays and cycled: x (batch, 1, 28, 28) in [0, 1], y one-hot (batch, 10).
 */
function syntheticBatches(count, batch) {
  const set = syntheticSet(count * batch);
  const pixels = set.images.subarray(16); // past the IDX header: 4 bytes + 3 dims
  const labels = set.labels.subarray(8);
  return Array.from({length: count}, (_, b) => {
    const x = Float32Array.from(pixels.subarray(b * batch * 784, (b + 1) * batch * 784), (p) => p / 255);
    const y = new Float32Array(batch * 10);
    labels.subarray(b * batch, (b + 1) * batch).forEach((label, i) => (y[i * 10 + label] = 1));
    return {x: np.array(x, {shape: [batch, 1, 28, 28]}), y: np.array(y, {shape: [batch, 10]})};
  });
}

const count = (params) => tree.leaves(params).reduce((n, a) => n + a.size, 0);

/**
 * Trains `name` at `batch` on the current default device: a warm-up of at least
 * two steps and `warmSeconds` (the first step traces and compiles the jit and
 * its kernels, then runs: `first_step_seconds`, never timed), then timed steps until at least
 * `seconds` and two steps have passed, or `capSeconds`. Each step is done when
 * its loss has been read back and the new parameters are ready.
 * -> {samples_per_second, batches, seconds, first_step_seconds, params, loss}
 */
export async function trainModel(name, {batch, seconds, warmSeconds = 1.5, capSeconds = 60, seed = 1}) {
  const arch = ARCHS[name];
  if (!arch) throw new Error(`unknown model ${name}`);
  const batches = syntheticBatches(4, batch);
  const params = arch.init(random.key(seed));
  const zeros = () => tree.map((p) => np.zeros(p.shape), params);
  let state = {m: zeros(), v: zeros(), params};
  const paramCount = count(params);
  let key = random.key(seed + 1);
  const step = makeStep(arch);
  let t = 0;
  let loss = NaN;
  const run = async () => {
    t++;
    const {lr, b1, b2} = ADAM;
    const {x, y} = batches[t % batches.length];
    const extra = [];
    if (arch.rate) [key, extra[0]] = random.split(key, 2);
    const {loss: value, ...next} = step(
      state,
      np.array((lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t)),
      x.ref,
      y.ref,
      ...extra,
    );
    state = next;
    await blockUntilReady(state);
    loss = await value.jsAsync();
  };
  try {
    const c0 = performance.now();
    await run();
    const firstStepSeconds = (performance.now() - c0) / 1000;
    const warmEnd = performance.now() + warmSeconds * 1000;
    do await run();
    while (performance.now() < warmEnd);
    let n = 0;
    const t0 = performance.now();
    for (;;) {
      await run();
      n++;
      const s = (performance.now() - t0) / 1000;
      if ((s >= seconds && n >= 2) || s >= capSeconds) {
        return {
          samples_per_second: (n * batch) / s,
          batches: n,
          seconds: s,
          first_step_seconds: firstStepSeconds,
          params: paramCount,
          loss,
        };
      }
    }
  } finally {
    step.dispose();
    tree.dispose([state, key, batches]);
  }
}
