// The arithmetic behind one unit of the network diagram, term by term, from the model's
// parameters and one prediction's activations, so that every number the page shows adds
// up: a dense neuron's weighted sum, a convolution's sum over its input channels at one
// output position. Plain functions over the data they are given; no DOM.
//
// Layouts (the core's): a dense layer's parameters are W (out, in) row-major, then b (out);
// a convolution's are W (F, C, K, K), then b (F). Activations are (C, H, W) per layer.

/**
 * @typedef {{input: Float32Array, activations: Float32Array[], probs?: Float32Array}} Prediction
 *   input: (784) the 28x28 the model saw; activations[i]: layer i's output
 */

/** What layer i reads: layer i-1's output, or the image for the first layer (exact whatever lies between groups). */
export const inputOf = (prediction, layer) => (layer === 0 ? prediction.input : prediction.activations[layer - 1]);

/**
 * Dense neuron j of a diagram group G (netdiagram.js groupsOf: layer, offset, inFlat, act):
 * z = sum_i x_i W_ji + b. Returns the `count` terms of largest |x_i W_ji| in that order, the
 * rest as one sum, the bias, `total` (every term plus the bias, summed in float64 here), `z`
 * (the core's output of the layer) and `a` (after the group's activation, the core's).
 * @param {any} G
 * @param {Float32Array} params
 * @param {Prediction} prediction
 * @param {number} j
 */
export function denseTerms(G, params, prediction, j, count = 8) {
  const x = inputOf(prediction, G.layer);
  const n = G.inFlat;
  const row = G.offset + j * n;
  const all = [];
  for (let i = 0; i < n; i++) all.push({i, x: x[i], w: params[row + i], product: x[i] * params[row + i]});
  all.sort((p, q) => Math.abs(q.product) - Math.abs(p.product));
  const terms = all.slice(0, count);
  const rest = {count: n - terms.length, sum: 0};
  for (const t of all.slice(count)) rest.sum += t.product;
  const bias = params[G.offset + G.flat * n + j];
  const total = terms.reduce((s, t) => s + t.product, rest.sum + bias);
  const z = prediction.activations[G.layer][j];
  const a = prediction.activations[G.act][j];
  return {terms, rest, bias, total, z, a, inputs: n};
}

/**
 * Output position (r, c) of map f of a convolution group G (layer, offset, inShape, shape, kernel,
 * stride, padding): for each input channel, the K x K patch it reads (null where the padding is),
 * the channel's kernel and their partial sum; `total` is the partials plus the bias (float64),
 * `z` the core's output of the layer there, `a` the same after the group's activation.
 * @param {any} G
 * @param {Float32Array} params
 * @param {Prediction} prediction
 */
export function convTerms(G, params, prediction, f, r, c) {
  const [C, H, W] = G.inShape;
  const [F, OH, OW] = G.shape;
  const K = G.kernel;
  const stride = G.stride || 1;
  const pad = G.padding === 'same' ? Math.floor(K / 2) : 0;
  const x = inputOf(prediction, G.layer);
  const channels = [];
  for (let ch = 0; ch < C; ch++) {
    const patch = [];
    const kernel = [];
    let partial = 0;
    for (let ky = 0; ky < K; ky++) {
      for (let kx = 0; kx < K; kx++) {
        const iy = r * stride + ky - pad;
        const ix = c * stride + kx - pad;
        const w = params[G.offset + ((f * C + ch) * K + ky) * K + kx];
        const inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
        const v = inside ? x[(ch * H + iy) * W + ix] : null;
        patch.push(v);
        kernel.push(w);
        if (v !== null) partial += v * w;
      }
    }
    channels.push({channel: ch, patch, kernel, partial});
  }
  const bias = params[G.offset + F * C * K * K + f];
  const total = channels.reduce((s, ch) => s + ch.partial, bias);
  const at = (f * OH + r) * OW + c;
  return {channels, bias, total, z: prediction.activations[G.layer][at], a: prediction.activations[G.act][at], K};
}

/** The position of the largest value of map f in a (C, H, W) activation. */
export function peakOf(values, shape, f) {
  const [, H, W] = shape;
  let best = 0;
  for (let k = 1; k < H * W; k++) if (values[f * H * W + k] > values[f * H * W + best]) best = k;
  return {r: Math.floor(best / W), c: best % W};
}

/** The first dense layer that reads the image (the pixels, maybe flattened): its group, or null. */
export function firstDenseOnImage(groups) {
  const g = groups.findIndex((G) => G.kind === 'dense' || G.kind === 'output');
  if (g < 0 || groups.slice(1, g).some((G) => G.kind !== 'flatten')) return null;
  return groups[g];
}
