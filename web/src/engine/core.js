// A thin JS face over the wasm Engine (wasm/engine.h): parses the JSON replies,
// turns parked C++ errors into thrown CoreErrors, and copies every heap view
// before returning it (a view dies when memory grows or the next call reuses it).
// Used by the worker and by the node tests alike.

/** @typedef {import('../wasm/mnist_lab.mjs').TrainConfig} TrainConfig */
/** @typedef {import('../wasm/mnist_lab.mjs').TrainProgress} TrainProgress */
/** @typedef {'train' | 'test'} Split */
/**
 * @typedef {object} StagedFile  a file of a split on its way into the engine (Core.stagedFile)
 * @property {(bytes: Uint8Array) => void} write  the next piece of the file
 * @property {() => void} close  no more writes: each one after it throws
 * @property {number} written  bytes written so far
 */

/**
 * A float32 from the engine (exact, or as the engine's JSON prints it to 9 digits) as the shortest
 * decimal that is the same float32: the learning rate 3e-3 would read 0.003000000026077032 otherwise.
 * @param {number} x
 */
export function shortestFloat(x) {
  const f = Math.fround(x);
  for (let digits = 1; digits < 9; digits++) {
    const y = Number(f.toPrecision(digits));
    if (Math.fround(y) === f) return y;
  }
  return f;
}

/** The pieces as one Uint8Array. @param {Uint8Array[]} pieces */
function concatBytes(pieces) {
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

export class CoreError extends Error {
  constructor(message) {
    super(message);
    this.name = 'CoreError';
  }
}

export class Core {
  /** @param {import('../wasm/mnist_lab.mjs').MnistLabModule} module an instantiated createMnistLab() module */
  constructor(module) {
    this.module = module;
    this.engine = new module.Engine();
    const defaults = module.Engine.defaults();
    /** @type {Readonly<TrainConfig>} the settings of a run where nothing else is asked for */
    this.defaults = Object.freeze({
      ...defaults,
      lr: shortestFloat(defaults.lr),
      weight_decay: shortestFloat(defaults.weight_decay),
    });
  }

  /** createMnistLab factory + options (e.g. {wasmBinary} in node) -> Core */
  static async load(factory, options = {}) {
    return new Core(await factory(options));
  }

  #call(fn) {
    const result = fn();
    const error = this.engine.takeError();
    if (error) throw new CoreError(error);
    return result;
  }

  #json(fn) {
    return JSON.parse(this.#call(fn));
  }

  /**
   * All presets: [{name, spec, source, params, spatial (a conv net, as describe() says), recipe}],
   * the recipe's float32 rates as their shortest decimals (0.03, not 0.0299999993).
   */
  presets() {
    const presets = JSON.parse(this.module.Engine.presets());
    for (const {recipe: r} of presets) {
      for (const key of ['lr', 'weight_decay', 'label_smoothing']) r[key] = shortestFloat(r[key]);
    }
    return presets;
  }

  /**
   * Validates a preset name or spec without building: {ok, spec, params, spatial, batch, bytes, limit}
   * | {ok:false, error} (a bad model) | {ok:false, error, ...} (training at batch would not fit in
   * memory; batch 0 or absent: the preset's batch, or the core's default for a spec)
   */
  describe(model, batch = 0) {
    return JSON.parse(this.module.Engine.describeFor(String(model), batch | 0));
  }

  /** The largest weights file the engine reads, in bytes: a larger file can be refused unread. */
  maxWeightsBytes() {
    return this.module.Engine.maxWeightsBytes();
  }

  /** A weights file (Uint8Array), checked whole without building its model -> describe() of its spec | {ok: false, error} */
  describeWeights(bytes) {
    return JSON.parse(this.module.Engine.describeWeights(bytes));
  }

  /** A preset name or layer spec -> {spec, params, layers:[{token, kind, shape, flat, params, offset}]} */
  createModel(model, seed = 1) {
    return this.#json(() => this.engine.createModel(String(model), seed >>> 0));
  }

  modelInfo() {
    return this.#json(() => this.engine.modelInfo());
  }

  /**
   * A run's settings for the engine: the given ones over the engine's defaults. A name the
   * engine does not know, or a value of another type than its default's, is an error here
   * (the engine would ignore the one and coerce the other); ranges are the engine's to check.
   * @param {Partial<TrainConfig>} given
   * @returns {TrainConfig}
   */
  settings(given = {}) {
    for (const [key, value] of Object.entries(given)) {
      if (!(key in this.defaults)) throw new CoreError(`unknown training setting '${key}'`);
      if (typeof value !== typeof this.defaults[key])
        throw new CoreError(`training setting '${key}' must be a ${typeof this.defaults[key]}, got ${typeof value}`);
    }
    return {...this.defaults, ...given};
  }

  /**
   * split 'train' | 'test'; images, labels: Uint8Array IDX file bytes. The engine keeps its own
   * copy: the caller may let go of these.
   * @param {Split} split
   * @param {Uint8Array} images
   * @param {Uint8Array} labels
   */
  loadData(split, images, labels) {
    this.#call(() => this.engine.loadData(split, images, labels));
  }

  /**
   * One file of a split written straight into the engine as its bytes arrive (a download's
   * pieces): room is made once the file's IDX header tells its size, and each piece is copied
   * in once. Throws the engine's error for a bad header or a file longer than its header says;
   * after close() every write throws. loadStaged() then loads the split from the two files.
   * @param {Split} split
   * @param {'images' | 'labels'} file
   * @returns {StagedFile}
   */
  stagedFile(split, file) {
    const rank = file === 'images' ? 3 : 1;
    const what = `${split} ${file}`;
    /** @type {Uint8Array[]} the first pieces, while they hold too little to tell the size */
    let head = [];
    let sized = false;
    let written = 0;
    let closed = false;
    const put = (bytes) => {
      this.#call(() => this.engine.writeStaged(split, file, written, bytes));
      written += bytes.byteLength;
    };
    return {
      write: (bytes) => {
        if (closed) throw new CoreError(`${what}: the download was given up`);
        if (sized) return put(bytes);
        head.push(bytes);
        const joined = head.length === 1 ? bytes : concatBytes(head);
        const size = this.#call(() => this.engine.idxFileSize(joined, rank, what));
        if (!size) return;
        this.#call(() => this.engine.stage(split, file, size));
        sized = true;
        head = [];
        put(joined);
      },
      close: () => {
        closed = true;
      },
      get written() {
        return written;
      },
    };
  }

  /**
   * Loads a split from the files its stagedFile()s wrote (their first `written` bytes), checked as
   * loadData checks them; the room they took is let go of, on an error too.
   * @param {Split} split
   * @param {number} imagesWritten
   * @param {number} labelsWritten
   */
  loadStaged(split, imagesWritten, labelsWritten) {
    this.#call(() => this.engine.loadStaged(split, imagesWritten, labelsWritten));
  }

  /** Lets go of a split's staged files without loading them. @param {Split} split */
  unstage(split) {
    this.#call(() => this.engine.unstage(split));
  }

  /** Samples loaded in a split (0 before). @param {Split} split @returns {number} */
  count(split) {
    return this.#call(() => this.engine.count(split));
  }

  /** Sample i of a split: Uint8Array(784), row by row. @param {Split} split @param {number} i */
  image(split, i) {
    return this.#call(() => this.engine.image(split, i | 0)).slice();
  }

  /**
   * Samples of a split, one after another: Uint8Array(indices.length * 784).
   * @param {Split} split
   * @param {number[]} indices
   */
  images(split, indices) {
    const out = new Uint8Array(indices.length * 784);
    indices.forEach((index, k) =>
      out.set(
        this.#call(() => this.engine.image(split, index | 0)),
        k * 784,
      ),
    );
    return out;
  }

  /** Every label of a split: Uint8Array(count). @param {Split} split */
  labels(split) {
    return this.#call(() => this.engine.labels(split)).slice();
  }

  /** The label of sample i. @param {Split} split @param {number} i @returns {number} */
  label(split, i) {
    const labels = this.#call(() => this.engine.labels(split));
    if (!(i >= 0 && i < labels.length)) throw new CoreError(`no ${split} digit ${i} (there are ${labels.length})`);
    return labels[i];
  }

  /** A run on the current model. @param {Partial<TrainConfig>} settings (the rest: defaults) */
  startTraining(settings) {
    const all = this.settings(settings);
    this.#call(() => this.engine.startTraining(all));
  }

  /**
   * A fresh model (preset name or layer spec, its weights drawn from the settings' seed) and a run
   * on it, in one step -> modelInfo(). A refused start (bad settings, spec or data) keeps the
   * current model and its run.
   * @param {string} model
   * @param {Partial<TrainConfig>} settings (the rest: defaults)
   */
  startNewTraining(model, settings) {
    const all = this.settings(settings);
    return this.#json(() => this.engine.startNewTraining(String(model), all));
  }

  /** Runs up to n batches. @param {number} n @returns {TrainProgress} */
  train(n) {
    return this.#call(() => this.engine.train(n | 0));
  }

  /** The running run's learning rate from its next batch on, constant from then (a rate out of (0, 10] throws). */
  setLearningRate(lr) {
    this.#call(() => this.engine.setLearningRate(lr));
  }

  /**
   * On a split ('test' | 'train'; first `limit` if > 0) ->
   * {count, loss, accuracy, confusion, per_class, misclassified[, predicted]}
   */
  evaluate(limit = 0, {split = 'test', predictions = false} = {}) {
    return this.#json(() => this.engine.evaluate(limit | 0, split, !!predictions));
  }

  /** image: Float32Array(784) in [0,1] -> Float32Array(10) probabilities */
  predict(image) {
    return this.#call(() => this.engine.predict(image)).slice();
  }

  /** pixels: Float32Array(width*height) ink in [0,1] -> Float32Array(10); input() then holds the 28x28 */
  predictDrawing(pixels, width, height) {
    return this.#call(() => this.engine.predictDrawing(pixels, width | 0, height | 0)).slice();
  }

  /** Sample i of a split -> Float32Array(10); input() then holds its pixels in [0,1]. @param {Split} split */
  predictSample(split, i) {
    return this.#call(() => this.engine.predictSample(split, i | 0)).slice();
  }

  /** The 28x28 input of the last prediction: Float32Array(784) */
  input() {
    return this.engine.input().slice();
  }

  /** Output of layer i for the last prediction (shape from modelInfo().layers[i].shape) */
  activation(i) {
    return this.#call(() => this.engine.activation(i | 0)).slice();
  }

  /**
   * The outputs of layers 0..count-1 for the last prediction: Float32Array[count],
   * each a view into one shared buffer (post that one buffer: [result[0].buffer]).
   * spare: an earlier result's [0] (or any Float32Array) whose buffer is reused
   * when it is exactly the size needed; its caller gives it up, as every view into
   * it is overwritten. A fresh ArrayBuffer per prediction cost the drawing pad more
   * than the CNN's forward pass in Chromium (allocation, page faults, then GC
   * pauses in the tail), so the page hands the previous one back.
   */
  activations(count, spare = null) {
    const views = [];
    let total = 0;
    for (let i = 0; i < count; i++) {
      const v = this.#call(() => this.engine.activation(i));
      views.push(v);
      total += v.length;
    }
    const fits = spare && spare.byteOffset === 0 && spare.buffer.byteLength === total * 4;
    const all = fits ? new Float32Array(spare.buffer) : new Float32Array(total);
    let at = 0;
    return views.map((v) => {
      all.set(v, at);
      at += v.length;
      return all.subarray(at - v.length, at);
    });
  }

  // --- the Draw view's experiments; images are Float32Array(784) in [0, 1] ---

  /**
   * A drawing (Float32Array(width*height) ink 0..1) preprocessed (centre: MNIST's crop and centring; else the
   * whole drawing scaled), moved ({dx, dy, angle, thickness}: px, px, degrees, steps -2..2) and predicted
   * -> {image: Float32Array(784), probs: Float32Array(10)}
   * @param {Float32Array} pixels
   * @param {number} width
   * @param {number} height
   * @param {{centre?: boolean, dx?: number, dy?: number, angle?: number, thickness?: number}} how
   */
  prepare(pixels, width, height, {centre = true, dx = 0, dy = 0, angle = 0, thickness = 0} = {}) {
    const probs = this.#call(() =>
      this.engine.prepare(pixels, width | 0, height | 0, !!centre, +dx, +dy, +angle, thickness | 0),
    ).slice();
    return {image: this.input(), probs};
  }

  /**
   * The image moved by each value along axis ('x', 'y': px; 'angle': degrees; 'thickness': steps), each
   * predicted -> Float32Array(values.length * 10), row k for values[k]
   * @param {Float32Array} image
   * @param {'x'|'y'|'angle'|'thickness'} axis
   * @param {number[]} values
   */
  sweep(image, axis, values) {
    return this.#call(() => this.engine.sweep(image, String(axis), Float32Array.from(values))).slice();
  }

  /** d logit[cls] / d image: Float32Array(784). @param {Float32Array} image @param {number} cls */
  inputGradient(image, cls) {
    return this.#call(() => this.engine.inputGradient(image, cls | 0)).slice();
  }

  /** The drop in probs[cls] when each pixel's patch x patch square is blanked: Float32Array(784). */
  occlusion(image, cls, patch = 4) {
    return this.#call(() => this.engine.occlusion(image, cls | 0, patch | 0)).slice();
  }

  /**
   * Targeted iterative fast gradient sign -> {image, probs, steps, reached, l1, linf}
   * @param {Float32Array} image
   * @param {number} target
   * @param {{epsilon?: number, step?: number, maxSteps?: number}} settings
   */
  fool(image, target, {epsilon = 0.3, step = 0.02, maxSteps = 100} = {}) {
    const result = this.#json(() => this.engine.fool(image, target | 0, +epsilon, +step, maxSteps | 0));
    return {image: this.input(), probs: this.engine.probs().slice(), ...result};
  }

  /**
   * One plain SGD step on one digit, recorded; the model keeps the update -> {loss, probs: Float32Array(10),
   * layers: [{output, outputGradient, gradient, change}: Float32Array each, views into one buffer]}
   * @param {Float32Array} image
   * @param {number} label
   * @param {number} lr
   */
  stepTrace(image, label, lr) {
    const t = this.#json(() => this.engine.stepTrace(image, label | 0, +lr));
    const all = this.engine.trace().slice();
    const part = ([offset, length]) => all.subarray(offset, offset + length);
    return {
      loss: t.loss,
      probs: Float32Array.from(t.probs),
      layers: t.layers.map((l) => ({
        output: part(l.output),
        outputGradient: part(l.output_grad),
        gradient: part(l.grad),
        change: part(l.change),
      })),
    };
  }

  /**
   * A fine-tuning run on the current model: the user's digits (Uint8Array(n*784), labels Uint8Array(n)) mixed
   * with the loaded training digits; then train() runs it. Settings left out: the core's defaults.
   * @param {Uint8Array} images
   * @param {Uint8Array} labels
   * @param {{steps?: number, batch?: number, lr?: number, seed?: number}} settings
   */
  startFinetune(images, labels, {steps = 0, batch = 0, lr = 0, seed = 0} = {}) {
    this.#call(() => this.engine.startFinetune(images, labels, steps | 0, batch | 0, +lr, seed >>> 0));
  }

  /**
   * An IDX image file and label file (raw bytes) -> {images: Uint8Array(count*784), labels, count}
   * @param {Uint8Array} images
   * @param {Uint8Array} labels
   */
  readIdx(images, labels) {
    const d = this.#call(() => this.engine.readIdx(images, labels));
    return {images: d.images.slice(), labels: d.labels.slice(), count: d.count};
  }

  /** All parameters in arena order (offsets in modelInfo().layers) */
  params() {
    return this.#call(() => this.engine.params()).slice();
  }

  /** A weights file (Uint8Array), float16 values if half */
  exportWeights(half = false) {
    return this.#call(() => this.engine.exportWeights(!!half)).slice();
  }

  /** Replaces the model with the file's; returns modelInfo() */
  importWeights(bytes) {
    return this.#json(() => this.engine.importWeights(bytes));
  }

  /**
   * Threads for the large matrix products, process-wide (clamped to the pthread pool
   * plus one; always 1 in the single-thread build) -> the threads now used.
   */
  setThreads(n) {
    return this.module.Engine.setThreads(n | 0);
  }

  threads() {
    return this.module.Engine.threads();
  }

  /** Whether this build fuses its multiply-adds (the relaxed-SIMD build) */
  fma() {
    return this.module.Engine.fma();
  }

  /** Bytes of wasm memory in use (heap size) */
  heapBytes() {
    return this.module.HEAPU8.length;
  }
}
