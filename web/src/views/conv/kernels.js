// The kernels the walkthrough slides, and the sliding itself: a convolution of one
// 28x28 image with one KxK kernel, computed here in plain JS so each step can be shown.

/** Hand-made 3x3 kernels. */
export const CLASSIC = {
  'sobel-x': {
    name: 'Sobel x (vertical edges)',
    k: [
      [-1, 0, 1],
      [-2, 0, 2],
      [-1, 0, 1],
    ],
  },
  'sobel-y': {
    name: 'Sobel y (horizontal edges)',
    k: [
      [-1, -2, -1],
      [0, 0, 0],
      [1, 2, 1],
    ],
  },
  laplacian: {
    name: 'Laplacian (outlines)',
    k: [
      [0, 1, 0],
      [1, -4, 1],
      [0, 1, 0],
    ],
  },
  blur: {
    name: 'Box blur',
    k: [
      [1 / 9, 1 / 9, 1 / 9],
      [1 / 9, 1 / 9, 1 / 9],
      [1 / 9, 1 / 9, 1 / 9],
    ],
  },
  sharpen: {
    name: 'Sharpen',
    k: [
      [0, -1, 0],
      [-1, 5, -1],
      [0, -1, 0],
    ],
  },
};

/**
 * @typedef {object} Kernel
 * @property {number[]} k   K*K weights, row by row
 * @property {number} K
 * @property {number} bias
 * @property {number} pad   zero padding on each side (K/2 for a 'same' convolution)
 * @property {boolean} learned
 * @property {string} name
 */

/**
 * The CNN's first convolution, when it reads the image itself: {offset, F, K, same} from the
 * layer's attributes (groupsOf's conv group), or null.
 */
export function firstConvOf(groups) {
  const g = groups.find((x) => x.kind === 'conv');
  if (g?.inShape[0] !== 1) return null;
  return {offset: g.offset, F: g.filters, K: g.kernel, same: g.padding === 'same'};
}

/**
 * The kernel an option of the Kernel list names: 'f<i>' a filter of the first convolution (its
 * weights in params: F*K*K weights, then F biases, from offset), else a classic one.
 * @returns {Kernel}
 */
export function kernelFor(value, firstConv, params) {
  if (value.startsWith('f') && firstConv && params) {
    const f = Number(value.slice(1));
    const {offset, F, K, same} = firstConv;
    return {
      k: Array.from(params.subarray(offset + f * K * K, offset + (f + 1) * K * K)),
      K,
      bias: params[offset + F * K * K + f],
      pad: same ? Math.floor(K / 2) : 0,
      learned: true,
      name: `filter ${f + 1} of the CNN's first layer`,
    };
  }
  const c = CLASSIC[value] || CLASSIC['sobel-x'];
  return {k: c.k.flat(), K: 3, bias: 0, pad: 0, learned: false, name: c.name};
}

/** The output side for a 28x28 input. */
export const outSize = ({K, pad}) => 28 + 2 * pad - K + 1;

/**
 * input: (28, 28) or null -> the feature map, (outN, outN) row by row (zeros without an input).
 * @param {Float32Array | null} input
 * @param {Kernel} kernel
 */
export function convolve(input, {k, K, bias, pad}) {
  const outN = outSize({K, pad});
  const out = new Float32Array(outN * outN);
  if (!input) return out;
  for (let r = 0; r < outN; r++) {
    for (let c = 0; c < outN; c++) {
      let s = bias;
      for (let i = 0; i < K; i++) {
        for (let j = 0; j < K; j++) {
          const y = r + i - pad;
          const x = c + j - pad;
          if (y >= 0 && y < 28 && x >= 0 && x < 28) s += input[y * 28 + x] * k[i * K + j];
        }
      }
      out[r * outN + c] = s;
    }
  }
  return out;
}

/** The input pixels under the kernel for output (r, c), zero outside the image: K*K values. */
export function patchAt(input, {K, pad}, r, c) {
  const patch = [];
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) {
      const y = r + i - pad;
      const x = c + j - pad;
      patch.push(y >= 0 && y < 28 && x >= 0 && x < 28 && input ? input[y * 28 + x] : 0);
    }
  }
  return patch;
}

/** Index of the largest value. */
export function argmaxOf(values) {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

export const maxAbs = (a) => {
  let m = 0;
  for (const v of a) if (Math.abs(v) > m) m = Math.abs(v);
  return m;
};
