// The messages between the page and a model worker (src/worker.js).
//
// Each worker owns one wasm Engine, i.e. one model ("slot"): the page runs one
// worker for the dense model (slot "mlp") and one for the convolutional model
// (slot "cnn"), which is what lets the two train side by side.
//
// Requests (page -> worker) are {type, id, ...payload}. The worker answers every
// request with exactly one reply {type: <the reply type named below>, id, ...}
// or, if it failed, {type: 'error', id, message}. The worker keeps working after
// an error; a failed weights import or a bad spec leaves the current model as it was.
//
// Notices (worker -> page, no id) report things nobody asked for just then:
// training progress, epoch results, download progress.
//
// Typed arrays cross as transferables; nothing returned aliases the wasm heap.

/** @typedef {'mlp'|'cnn'} SlotName */
/** @typedef {import('./engine/core.js').TrainConfig} TrainConfig */
/** @typedef {import('./engine/core.js').TrainProgress} TrainProgress */

/**
 * @typedef {object} LayerInfo  one layer of a model, as the core's model_info() describes it
 * @property {string} token   e.g. "conv(32,3)"
 * @property {string} kind    dense | conv | pool | avgpool | gap | bn | relu | sigmoid | tanh | dropout | flatten
 * @property {number[]} shape output [c, h, w]
 * @property {boolean} flat   whether the output is a flat vector
 * @property {number} window  the kernel or pooling window (0: none)
 * @property {number} params  parameter count
 * @property {number} offset  first parameter's index in the arena
 * @property {number} [state] running statistics it keeps (batch norm)
 * @property {boolean} [spatial] it reads its input as an image
 * @property {number} [units]  dense
 * @property {number} [filters] conv
 * @property {number} [kernel] conv
 * @property {number} [stride] conv, pooling
 * @property {string} [padding] conv: 'same' | 'valid'
 * @property {boolean} [activation] an element-wise non-linearity (relu, sigmoid, tanh)
 * @property {string} [pooling] pool, avgpool, gap: 'max' | 'average'
 * @property {number} [rate] dropout
 */

/** @typedef {{spec: string, params: number, spatial?: boolean, layers: LayerInfo[]}} ModelInfo */

/**
 * @typedef {object} Preset  a named model and the recipe its article trained it with
 * @property {string} name
 * @property {string} spec
 * @property {string} source
 * @property {number} params
 * @property {boolean} spatial  it trains in the CNN slot
 * @property {{epochs: number, batch: number, optimizer: string, lr: number, schedule: string,
 *   weight_decay: number, augment: boolean}} recipe
 */

/**
 * @typedef {object} EngineInfo  which build of the core a worker runs
 * @property {boolean} threaded  the pthreads build (wasm-mt) started
 * @property {number} threads    threads its matrix products use (1 in the single-thread build)
 * @property {boolean} [fma]     the build fuses its multiply-adds
 */

/**
 * @typedef {object} DataUrls  absolute URLs of the four gzipped IDX files
 * @property {string} trainImages
 * @property {string} trainLabels
 * @property {string} testImages
 * @property {string} testLabels
 */

/**
 * @typedef {object} Evaluation  the core's evaluation of a split (Reply.EVALUATION without type and id)
 * @property {'test'|'train'} split
 * @property {number} count
 * @property {number} loss
 * @property {number} accuracy
 * @property {number[]} confusion   (100) [true * 10 + predicted]
 * @property {number[]} per_class   (10)
 * @property {number[]} misclassified  indices
 * @property {Uint8Array} [predicted]  every digit's top class (the test split)
 */

/**
 * @typedef {object} Prediction  Reply.PREDICTION without type and id
 * @property {Float32Array} probs  (10)
 * @property {Float32Array} input  (784) the 28x28 the model saw
 * @property {Float32Array[] | null} activations  every layer's output, views into one buffer
 * @property {Float32Array} [pixels]  PREDICT_DRAWING: the request's buffer, handed back
 * @property {number} [index]  PREDICT_TEST: the test digit
 * @property {number} [label]  PREDICT_TEST: its label
 */

/**
 * @typedef {object} Requests  what each request carries besides {type, id} (see Request for each one's reply)
 * @property {{model: string, batch?: number}} describe
 * @property {{bytes: Uint8Array}} describeWeights
 * @property {{url: string}} loadWeights
 * @property {{bytes: Uint8Array}} importWeights
 * @property {{half: boolean}} exportWeights
 * @property {{}} params
 * @property {{urls: DataUrls, splits: ('train'|'test')[]}} loadData
 * @property {{pixels: Float32Array, width: number, height: number, activations: boolean, spare?: Float32Array}} predictDrawing
 * @property {{index: number, activations: boolean, spare?: Float32Array}} predictTest
 * @property {{indices: number[]}} testImages
 * @property {{}} testLabels
 * @property {{split?: 'test'|'train', limit?: number}} evaluate
 * @property {{model: string, config: Partial<TrainConfig>}} train
 * @property {{}} pause
 * @property {{}} resume
 * @property {{}} stop
 * @property {{steps: number}} __testHold
 * @property {{}} __testRelease
 */

/**
 * @typedef {object} Replies  each request's reply, besides {type, id}
 * @property {{ok: boolean, error?: string, spec?: string, params?: number, spatial?: boolean, batch?: number,
 *   bytes?: number, limit?: number}} describe
 * @property {Replies['describe']} describeWeights
 * @property {{info: ModelInfo}} loadWeights
 * @property {{info: ModelInfo}} importWeights
 * @property {{bytes: Uint8Array}} exportWeights
 * @property {{params: Float32Array, info: ModelInfo}} params
 * @property {{train: number, test: number}} loadData
 * @property {Prediction} predictDrawing
 * @property {Prediction} predictTest
 * @property {{indices: number[], pixels: Uint8Array, labels: Uint8Array}} testImages
 * @property {{labels: Uint8Array}} testLabels
 * @property {Evaluation} evaluate
 * @property {{info: ModelInfo, samples: number}} train
 * @property {{}} pause
 * @property {{}} resume
 * @property {{}} stop
 * @property {{step: number}} __testHold
 * @property {{}} __testRelease
 */

export const Request = Object.freeze({
  /**
   * {module: WebAssembly.Module} or {threaded: {url, threads}, wasmUrls: {fma, plain}} must come first.
   * Usually the page downloads and compiles the wasm once and hands the compiled module
   * to every worker. A cross-origin isolated page instead names the pthreads build's
   * module script (wasm-mt/mnist_lab.mjs) and the threads to use; the worker starts it,
   * or, if it does not start, says why on the console and compiles the single-thread
   * core from wasmUrls (engine/compile.js compileBestCore).
   * lifeline (optional): the name of a Web Lock the worker takes before it answers and holds
   * until it ends; the page then waits for that lock to learn that the worker has ended, even
   * one that closed without a word.
   * -> Reply.READY {presets: Preset[], defaults: TrainConfig, engine: EngineInfo, lifeline} (or
   * Reply.FATAL {message}). defaults: the engine's settings for a run where the page asks for nothing else.
   * Requests sent before it wait for it.
   */
  INIT: 'init',
  /**
   * {model: string, batch?} -> Reply.DESCRIBED {ok, spec, params, spatial, batch, bytes, limit} | {ok: false, error}
   * (also when training at that batch would not fit in memory); never an error reply
   */
  DESCRIBE: 'describe',
  /**
   * {bytes: Uint8Array} a weights file, checked whole without loading it -> Reply.DESCRIBED (of the file's
   * spec, as DESCRIBE) | {ok: false, error} (what is wrong with the file); the page learns from it which
   * slot the file goes to. Never an error reply.
   */
  DESCRIBE_WEIGHTS: 'describeWeights',
  /** {url} fetches a weights file and loads it -> Reply.MODEL {info} */
  LOAD_WEIGHTS: 'loadWeights',
  /** {bytes: Uint8Array} a weights file -> Reply.MODEL {info}; a bad file -> error, model kept */
  IMPORT_WEIGHTS: 'importWeights',
  /** {half: boolean} -> Reply.WEIGHTS {bytes: Uint8Array} (the weights file) */
  EXPORT_WEIGHTS: 'exportWeights',
  /** {} -> Reply.PARAMS {params: Float32Array, info: ModelInfo} (offsets in info.layers) */
  PARAMS: 'params',
  /**
   * {urls: DataUrls, splits: ('train'|'test')[]} downloads (with Notice.DATA_PROGRESS)
   * and loads what is missing -> Reply.DATA {train: count, test: count}
   */
  LOAD_DATA: 'loadData',
  /**
   * {pixels: Float32Array(width*height) ink 0..1, width, height, activations: boolean, spare}
   * -> Reply.PREDICTION {probs, input, activations: Float32Array[] | null, pixels}. The
   * activations are views into one buffer; spare (optional, transferred) is an earlier
   * reply's activations[0], whose buffer the worker refills when it is the right size (the
   * same spare goes with PREDICT_TEST). pixels are transferred both ways:
   * the reply hands the request's buffer back for the next drawing.
   */
  PREDICT_DRAWING: 'predictDrawing',
  /** {index, activations, spare} a test digit, from the engine's own copy -> Reply.PREDICTION {..., index, label} */
  PREDICT_TEST: 'predictTest',
  /** {indices: number[]} -> Reply.IMAGES {indices, pixels: Uint8Array(n*784), labels: Uint8Array(n)} (from the engine) */
  TEST_IMAGES: 'testImages',
  /** {} -> Reply.LABELS {labels: Uint8Array(count)} the test labels (from the engine) */
  TEST_LABELS: 'testLabels',
  /**
   * {split: 'test'|'train', limit} -> Reply.EVALUATION {split, count, loss, accuracy,
   * confusion (100, [true*10+pred]), per_class (10), misclassified (indices)[, predicted: Uint8Array]}.
   * 'test' also carries `predicted`, every digit's top class (so are Notice.EPOCH / TRAIN_DONE evaluations).
   * 'train' measures the first `limit` training digits in inference mode (for the generalisation gap).
   */
  EVALUATE: 'evaluate',
  /**
   * {model: preset or spec, config: Partial<TrainConfig>} (by the engine's names; its defaults fill
   * the rest) creates a fresh model, its weights drawn from the config's seed, and starts training
   * -> Reply.STARTED {info, samples (the digits it trains on)} at once; then Notice.PROGRESS (~10/s),
   * Notice.EPOCH after each epoch, and finally Notice.TRAIN_DONE. A refused start (bad settings, an
   * unknown setting or a bad spec) is an error reply and keeps the current model.
   */
  TRAIN: 'train',
  /** {} -> Reply.PAUSED {} (training holds between two chunks of batches) */
  PAUSE: 'pause',
  /** {} -> Reply.RESUMED {} */
  RESUME: 'resume',
  /** {} -> Reply.STOPPING {}; the run then ends with Notice.TRAIN_DONE {reason: 'stopped'} */
  STOP: 'stop',
  /**
   * Test hook, harmless: the worker fails as if the engine had crashed (a RuntimeError inside a
   * handler), answers Reply.CRASHED and closes itself. The page then restarts the worker.
   */
  TEST_CRASH: '__testCrash',
  /** Test hook: the worker closes itself without a word (no reply, no error), as a dying worker can. */
  TEST_CLOSE: '__testClose',
  /**
   * Test hook: {steps} -> Reply.HELD {step}, once a training run (this one or the next) has done
   * `steps` batches and holds there, as if paused, until TEST_RELEASE. It lets a test act at a
   * known point of a run instead of racing it.
   */
  TEST_HOLD: '__testHold',
  /** Test hook: {} -> Reply.RELEASED {}; a held run goes on (unless it was paused meanwhile). */
  TEST_RELEASE: '__testRelease',
});

export const Reply = Object.freeze({
  READY: 'ready', // the reply to INIT (id-less): {presets, defaults, engine: EngineInfo, lifeline: whether it holds that lock}
  FATAL: 'fatal', // sent instead of READY when the module cannot start: {message}
  ERROR: 'error', // {id, message}
  CRASHED: 'crashed', // id-less {message}: the engine broke (out of memory, abort); the worker closes itself
  DESCRIBED: 'described',
  MODEL: 'model',
  WEIGHTS: 'weights',
  PARAMS: 'params',
  DATA: 'data',
  PREDICTION: 'prediction',
  IMAGES: 'images',
  LABELS: 'labels',
  EVALUATION: 'evaluation',
  STARTED: 'started',
  PAUSED: 'paused',
  RESUMED: 'resumed',
  STOPPING: 'stopping',
  HELD: 'held',
  RELEASED: 'released',
});

/**
 * The reply each request gets when it succeeds (any request may instead get Reply.ERROR). The test
 * hooks TEST_CRASH and TEST_CLOSE get none.
 */
export const REPLY_TO = Object.freeze({
  [Request.DESCRIBE]: Reply.DESCRIBED,
  [Request.DESCRIBE_WEIGHTS]: Reply.DESCRIBED,
  [Request.LOAD_WEIGHTS]: Reply.MODEL,
  [Request.IMPORT_WEIGHTS]: Reply.MODEL,
  [Request.EXPORT_WEIGHTS]: Reply.WEIGHTS,
  [Request.PARAMS]: Reply.PARAMS,
  [Request.LOAD_DATA]: Reply.DATA,
  [Request.PREDICT_DRAWING]: Reply.PREDICTION,
  [Request.PREDICT_TEST]: Reply.PREDICTION,
  [Request.TEST_IMAGES]: Reply.IMAGES,
  [Request.TEST_LABELS]: Reply.LABELS,
  [Request.EVALUATE]: Reply.EVALUATION,
  [Request.TRAIN]: Reply.STARTED,
  [Request.PAUSE]: Reply.PAUSED,
  [Request.RESUME]: Reply.RESUMED,
  [Request.STOP]: Reply.STOPPING,
  [Request.TEST_HOLD]: Reply.HELD,
  [Request.TEST_RELEASE]: Reply.RELEASED,
});

/**
 * The reply to a request of type `request`, checked: an error reply throws its message, and a reply
 * of another type than the request's (REPLY_TO) throws too, instead of handing the caller something
 * else than it asked for (no weights in a download).
 * @template {keyof Replies} T
 * @param {T} request
 * @param {{type: string, message?: string}} reply
 * @returns {Replies[T] & {type: string, id: number}}
 */
export function checkReply(request, reply) {
  if (reply.type === Reply.ERROR) throw new Error(reply.message);
  const want = REPLY_TO[request];
  if (!want) throw new Error(`'${request}' is not a request that gets a reply`);
  if (reply.type !== want) throw new Error(`the engine answered '${reply.type}' to '${request}'`);
  return /** @type {any} */ (reply);
}

export const Notice = Object.freeze({
  /** {file, loaded, total} bytes of one data file downloaded so far */
  DATA_PROGRESS: 'dataProgress',
  /**
   * {epoch, epochs, batch, batches_per_epoch, step, total_steps, loss, accuracy (epoch running means),
   *  recentLoss, recentAccuracy (over the batches since the last event), samples_per_second,
   *  lr, elapsed (s, training only), eta (s, incl. evaluations), paused, heapBytes (the worker's wasm memory),
   *  diverged, message (when diverged, the engine's words: the step, the loss and a hint; the bad update
   *  was not applied)}
   */
  PROGRESS: 'progress',
  /** {epoch, epochs, trainLoss, trainAccuracy, evaluation (as Reply.EVALUATION), elapsed, heapBytes (wasm memory)} */
  EPOCH: 'epoch',
  /**
   * {reason: 'finished'|'stopped'|'diverged'|'error', message, elapsed, evaluation | null, trainEvaluation | null}
   * diverged runs also carry {step (the step whose update was refused), loss (that batch's; Infinity or NaN
   * if not finite), lr}, the numbers the engine's progress gives (TrainProgress diverged_step, diverged_loss).
   * evaluation: the test evaluation of the final weights when no epoch-end one covers them (a stopped run);
   * trainEvaluation: accuracy on up to 10k training digits in inference mode, for the gap.
   */
  TRAIN_DONE: 'trainDone',
});

/** Progress events are throttled to about this many per second. */
export const PROGRESS_PER_SECOND = 10;
