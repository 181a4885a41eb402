// A thin JS face over the wasm Engine (wasm/engine.h): parses the JSON replies,
// turns parked C++ errors into thrown CoreErrors, and copies every heap view
// before returning it (a view dies when memory grows or the next call reuses it).
// Used by the worker and by the node tests alike.

export class CoreError extends Error {
  constructor(message) {
    super(message);
    this.name = 'CoreError';
  }
}

/**
 * The engine's training arguments, in order, from {epochs, batch, lr, optimizer, schedule, augment,
 * seed, weightDecay, limit (first N training digits; 0 = all)}; unset ones take these defaults.
 * @returns {[number, number, number, string, string, boolean, number, number, number]}
 */
function trainArgs(cfg) {
  const c = {
    epochs: 1,
    batch: 64,
    lr: 1e-3,
    optimizer: 'adam',
    schedule: 'cosine',
    augment: false,
    seed: 1,
    weightDecay: 0,
    limit: 0,
    ...cfg,
  };
  return [
    c.epochs | 0,
    c.batch | 0,
    +c.lr,
    c.optimizer,
    c.schedule,
    !!c.augment,
    c.seed >>> 0,
    +c.weightDecay,
    c.limit | 0,
  ];
}

export class Core {
  /** @param {import('../wasm/mnist_lab.mjs').MnistLabModule} module an instantiated createMnistLab() module */
  constructor(module) {
    this.module = module;
    this.engine = new module.Engine();
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

  /** All presets: [{name, spec, source, params, spatial (a conv net, as describe() says), recipe}] */
  presets() {
    return JSON.parse(this.module.Engine.presets());
  }

  /**
   * Validates a preset name or spec without building: {ok, spec, params, spatial, batch, bytes, limit}
   * | {ok:false, error} (a bad model) | {ok:false, error, ...} (training at batch would not fit in
   * memory; batch 0 or absent: the preset's batch, or the core's default for a spec)
   */
  describe(model, batch = 0) {
    return JSON.parse(this.module.Engine.describeFor(String(model), batch | 0));
  }

  /** A preset name or layer spec -> {spec, params, layers:[{token, kind, shape, flat, params, offset}]} */
  createModel(model, seed = 1) {
    return this.#json(() => this.engine.createModel(String(model), seed >>> 0));
  }

  modelInfo() {
    return this.#json(() => this.engine.modelInfo());
  }

  /** split 'train' | 'test'; images, labels: Uint8Array IDX file bytes */
  loadData(split, images, labels) {
    this.#call(() => this.engine.loadData(split, images, labels));
  }

  dataCount(split) {
    return this.#call(() => this.engine.dataCount(split));
  }

  /** A run on the current model: {epochs, batch, lr, optimizer, schedule, augment, seed, weightDecay, limit} (see trainArgs) */
  startTraining(cfg) {
    this.#call(() => this.engine.startTraining(...trainArgs(cfg)));
  }

  /**
   * A fresh model (preset name or layer spec) and a run on it (cfg as startTraining), in one step
   * -> modelInfo(). A refused start (bad settings, spec or data) keeps the current model and its run.
   */
  startNewTraining(model, seed, cfg) {
    return this.#json(() => this.engine.startNewTraining(String(model), seed >>> 0, ...trainArgs(cfg)));
  }

  /** Runs up to n batches -> progress {epoch, epochs, batch, batches_per_epoch, step, loss, accuracy, ...} */
  train(n) {
    return this.#json(() => this.engine.train(n | 0));
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
