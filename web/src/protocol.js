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
 *   weight_decay: number, augment: boolean, label_smoothing: number, test_shifts: number,
 *   limit: number}} recipe  (limit: an epoch's training digits, 0: all)
 */

/**
 * @typedef {object} EngineInfo  which build of the core a worker runs
 * @property {boolean} threaded  the pthreads build (wasm-mt) started
 * @property {number} threads    threads it has for training (1 in the single-thread build)
 * @property {boolean} [fma]     the build fuses its multiply-adds
 * @property {number} [inUse]    of those, the threads it uses now: its share while other runs train
 *   (Request.SHARE_CORES's reply), or what its run trains on (Notice.PROGRESS threads; model/training.js)
 * @property {number} [among]    the runs it was last told share the cores (model/training.js)
 * @property {number} [share]    the threads its share came to (Request.SHARE_CORES's reply)
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
 * @typedef {object} Transform  how PREPARE moves the preprocessed 28x28 digit (all optional, 0 = as is)
 * @property {number} [dx]  shift right, in pixels of the 28x28 image (fractions interpolate bilinearly)
 * @property {number} [dy]  shift down, in pixels
 * @property {number} [angle]  rotation about the image centre, degrees, clockwise
 * @property {number} [thickness]  integer steps -2..2: > 0 thickens (grey dilation), < 0 thins (erosion)
 */

/**
 * @typedef {object} TraceLayer  one layer in Reply.STEP_TRACE (a view of one real SGD step)
 * @property {string} token  e.g. "dense(128)"
 * @property {string} kind   as LayerInfo.kind
 * @property {number[]} shape  its output [c, h, w]
 * @property {Float32Array} output  the forward output (product of shape)
 * @property {Float32Array} outputGradient  d loss / d output, same size
 * @property {number} offset  its first parameter's index in the arena (as LayerInfo.offset)
 * @property {Float32Array} gradient  d loss / d its parameters (its params count; empty without parameters)
 * @property {Float32Array} change  how the step moved each parameter: -lr * gradient (same size)
 */

/**
 * @typedef {object} FineTuneProgress  Notice.FINETUNE_PROGRESS
 * @property {number} step  batches done
 * @property {number} total_steps
 * @property {number} loss  running mean over the run's batches
 * @property {number} accuracy  running mean over the run's batches
 * @property {number} elapsed  seconds of training
 * @property {boolean} paused
 * @property {number} threads  the threads it trains on now (as Notice.PROGRESS threads; engine/tuner.js)
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
 * @property {{model: string, config: Partial<TrainConfig>, paused?: boolean, evalEvery?: number, until?: number}} train
 * @property {{}} pause
 * @property {{}} resume
 * @property {{}} stop
 * @property {{lr: number}} setLr
 * @property {{among: number}} shareCores
 * @property {{}} step
 * @property {{steps: number}} __testHold
 * @property {Transform & {pixels: Float32Array, width: number, height: number, centre: boolean, activations?: boolean,
 *   spare?: Float32Array}} prepare
 * @property {{image: Float32Array}} predictImage
 * @property {{image: Float32Array, axis: 'x'|'y'|'angle'|'thickness', values: number[]}} sweep
 * @property {{image: Float32Array, cls: number, patch?: number}} saliency
 * @property {{image: Float32Array, target: number, epsilon?: number, step?: number, maxSteps?: number}} fool
 * @property {{images: Uint8Array, labels: Uint8Array, urls?: DataUrls, steps?: number, batch?: number, lr?: number,
 *   seed?: number}} finetune
 * @property {{image: Float32Array, label: number, lr: number}} stepTrace
 * @property {{images: Uint8Array, labels: Uint8Array}} readIdx
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
 * @property {{lr: number}} setLr
 * @property {{threads: number}} shareCores
 * @property {{step: number}} step
 * @property {{step: number}} __testHold
 * @property {{image: Float32Array, probs: Float32Array, activations: Float32Array[] | null}} prepare
 * @property {{probs: Float32Array}} predictImage
 * @property {{axis: string, values: number[], probs: Float32Array}} sweep
 * @property {{cls: number, gradient: Float32Array, occlusion: Float32Array, probs: Float32Array}} saliency
 * @property {{image: Float32Array, probs: Float32Array, steps: number, reached: boolean, l1: number, linf: number}} fool
 * @property {{reason: 'finished'|'stopped', steps: number, elapsed: number, evaluation: Evaluation}} finetune
 * @property {{loss: number, probs: Float32Array, layers: TraceLayer[]}} stepTrace
 * @property {{images: Uint8Array, labels: Uint8Array, count: number}} readIdx
 * @property {{}} __testRelease
 */

export const Request = Object.freeze({
  /**
   * {module: WebAssembly.Module} or {threaded: {url, wasm, threads}, wasmUrls: {fma, plain}} must come first.
   * Usually the page downloads and compiles the wasm once and hands the compiled module
   * to every worker. A cross-origin isolated page instead names the pthreads build's
   * module script (wasm-mt/mnist_lab.mjs), its wasm (with or without fused multiply-adds)
   * and the threads to use; the worker starts it,
   * or, if it does not start, says why on the console and compiles the single-thread
   * core from wasmUrls (engine/compile.js compileBestCore).
   * lifeline (optional): the name of a Web Lock the worker takes before it answers and holds
   * until it ends; the page then waits for that lock to learn that the worker has ended, even
   * one that closed without a word.
   * -> Reply.READY {presets: Preset[], defaults: TrainConfig, maxWeightsBytes, engine: EngineInfo, lifeline}
   * (or Reply.FATAL {message}). defaults: the engine's settings for a run where the page asks for nothing
   * else; maxWeightsBytes: the largest weights file it reads.
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
   * Notice.EPOCH after each epoch (and every `evalEvery` training digits, rounded up to whole
   * batches, when above 0), and finally Notice.TRAIN_DONE. until (percent, 0: none): the run ends
   * at the first of those tests at or above it, with reason 'reached'. A refused start (bad settings, an
   * unknown setting or a bad spec) is an error reply and keeps the current model. A training run
   * going on is stopped first; a fine-tune (FINETUNE) is not: TRAIN is then refused. paused: the run
   * starts paused, before its first batch (STEP then runs one).
   */
  TRAIN: 'train',
  /** {} -> Reply.PAUSED {} (training holds between two chunks of batches) */
  PAUSE: 'pause',
  /** {} -> Reply.RESUMED {} */
  RESUME: 'resume',
  /** {} -> Reply.STOPPING {}; the run then ends with Notice.TRAIN_DONE {reason: 'stopped'} */
  STOP: 'stop',
  /**
   * {lr} -> Reply.LR_SET {lr}: the run trains at this rate from its next batch on, constant from then
   * (the schedule stops there); no run, or a rate out of (0, 10], is an error reply.
   */
  SET_LR: 'setLr',
  /**
   * {among} this many training runs (1 or more) share the machine's cores now: the pthreads build
   * uses max(1, floor(threads / among)) of its threads (EngineInfo.threads) from its next batch on,
   * its other threads asleep -> Reply.CORES_SHARED {threads: the threads it now uses; always 1 in the
   * single-thread build}. A run's results do not change with it: training gives the same bits on any
   * thread count. An among that is not a whole number from 1 is an error reply.
   */
  SHARE_CORES: 'shareCores',
  /**
   * {} a paused run does exactly one batch -> Reply.STEPPED {step} once it is done (after its
   * Notice.PROGRESS, and its Notice.EPOCH if it ended an epoch); the run stays paused. A run that is
   * not paused is an error reply.
   */
  STEP: 'step',
  /**
   * The drawing pad's live path, kept well under 2 ms in the worker:
   * {pixels: Float32Array(width*height) ink 0..1, width, height, centre, dx, dy, angle, thickness, activations,
   * spare} -> Reply.PREPARED {image: Float32Array(784), probs: Float32Array(10), activations (every layer's
   * output for that image when asked, as PREDICT_DRAWING gives them; else null)}. centre: the MNIST preprocessing
   * (crop, 20x20, centre of mass); without it the whole drawing is scaled to 28x28 as it is. Then the
   * Transform moves the 28x28 image (shift, rotate, thicken) and the model reads it. image is in [0, 1],
   * the scale every request below takes. pixels are not transferred (the page keeps drawing into them).
   */
  PREPARE: 'prepare',
  /** {image: Float32Array(784) in [0, 1]} -> Reply.PROBABILITIES {probs: Float32Array(10)} */
  PREDICT_IMAGE: 'predictImage',
  /**
   * {image (784), axis: 'x'|'y' (pixels) |'angle' (degrees) |'thickness' (steps), values: number[]} ->
   * Reply.SWEPT {axis, values, probs: Float32Array(values.length * 10), row k the probabilities of the
   * image moved by values[k] along axis}. The image is moved from where it is: send PREPARE's image
   * with no transform to sweep around the drawing as drawn.
   */
  SWEEP: 'sweep',
  /**
   * {image (784), cls (0-9), patch? (4)} -> Reply.SALIENCY {cls, gradient: Float32Array(784) d logit[cls] /
   * d pixel (> 0: that pixel's ink supports cls), occlusion: Float32Array(784) the drop in the probability of
   * cls when the pixel's patch x patch square is blanked (> 0: the patch supported cls; every pixel of a patch
   * has its value), probs: Float32Array(10) of the image as it is}
   */
  SALIENCY: 'saliency',
  /**
   * {image (784), target (0-9), epsilon? (0.3, the largest change of any pixel), step? (0.02 per step),
   * maxSteps? (100)} -> Reply.FOOLED {image: the nudged image, probs: its probabilities, steps taken,
   * reached: whether the model now answers target, l1: sum of |change| (the ink it took), linf: max |change|}.
   * Iterative fast gradient sign, descending the cross-entropy of target, within epsilon and [0, 1].
   */
  FOOL: 'fool',
  /**
   * {images: Uint8Array(n*784) 0..255, labels: Uint8Array(n), urls?: DataUrls (to download MNIST if it is not
   * loaded yet), steps? (the engine's default), batch?, lr?, seed?} fine-tunes the current model on batches
   * half the user's digits (lightly shifted and rotated) and half MNIST training digits (so it does not
   * forget MNIST). While it runs: Notice.FINETUNE_PROGRESS (~10/s); PAUSE, RESUME, STOP (and the test hooks
   * TEST_HOLD/TEST_RELEASE) work as for TRAIN (a stopped fine-tune keeps the steps done). The defaults (150
   * steps of 32) take a few seconds. Then -> Reply.FINETUNED {reason: 'finished'|'stopped',
   * steps, elapsed (s), evaluation: Evaluation of the fine-tuned model on the full MNIST test set}. The model
   * stays fine-tuned: to go back, send LOAD_WEIGHTS or IMPORT_WEIGHTS with the weights it had (e.g. the
   * bytes of an EXPORT_WEIGHTS taken before). Refused (error) while a training run is going.
   */
  FINETUNE: 'finetune',
  /**
   * {image (784), label (0-9), lr} one plain SGD step (no momentum) on this one digit, recorded ->
   * Reply.STEP_TRACE {loss (before the step), probs (before the step), layers: TraceLayer[] (one per layer,
   * in order)}. The model keeps the updated weights. Refused (error) while a training run is going.
   */
  STEP_TRACE: 'stepTrace',
  /**
   * {images, labels: Uint8Array, the bytes of an IDX image file and its label file (raw or gzipped)} ->
   * Reply.DIGITS {images: Uint8Array(count*784), labels: Uint8Array(count), count}. Checked by the
   * core's IDX parser: 28x28 images, matching counts; a bad file is an error reply that says what is wrong.
   */
  READ_IDX: 'readIdx',
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
  READY: 'ready', // the reply to INIT (id-less): {presets, defaults, maxWeightsBytes, engine: EngineInfo, lifeline: whether it holds that lock}
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
  LR_SET: 'lrSet',
  CORES_SHARED: 'coresShared',
  STEPPED: 'stepped',
  PREPARED: 'prepared',
  PROBABILITIES: 'probabilities',
  SWEPT: 'swept',
  SALIENCY: 'saliency',
  FOOLED: 'fooled',
  FINETUNED: 'finetuned',
  STEP_TRACE: 'stepTrace',
  DIGITS: 'digits',
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
  [Request.SET_LR]: Reply.LR_SET,
  [Request.SHARE_CORES]: Reply.CORES_SHARED,
  [Request.STEP]: Reply.STEPPED,
  [Request.PREPARE]: Reply.PREPARED,
  [Request.PREDICT_IMAGE]: Reply.PROBABILITIES,
  [Request.SWEEP]: Reply.SWEPT,
  [Request.SALIENCY]: Reply.SALIENCY,
  [Request.FOOL]: Reply.FOOLED,
  [Request.FINETUNE]: Reply.FINETUNED,
  [Request.STEP_TRACE]: Reply.STEP_TRACE,
  [Request.READ_IDX]: Reply.DIGITS,
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
   *  points (the run sampled since the last event, up to ~400 times a run: [{step, epoch, batch, loss,
   *  accuracy (epoch running means), lr, elapsed}]),
   *  lr, elapsed (s, training only), eta (s, incl. evaluations), paused, heapBytes (the worker's wasm memory),
   *  threads (the run trains on now: its share of the cores, or one where one measured faster; engine/tuner.js),
   *  diverged, message (when diverged, the engine's words: the step, the loss and a hint; the bad update
   *  was not applied)}
   */
  PROGRESS: 'progress',
  /**
   * A test of the run on the full test set: {epoch, epochs, within (true: inside epoch `epoch`, as
   * Request.TRAIN's evalEvery asked; false: after it), position (epochs done, a fraction within one),
   * samples (training digits so far), trainLoss, trainAccuracy, evaluation (as Reply.EVALUATION),
   * elapsed, heapBytes (wasm memory)}
   */
  EPOCH: 'epoch',
  /**
   * {reason: 'finished'|'reached'|'stopped'|'diverged'|'error', message, elapsed, evaluation | null,
   * trainEvaluation | null}; reached: a test came at or above Request.TRAIN's `until`. diverged runs also carry {step (the step whose update was refused), loss (that batch's; Infinity or NaN
   * if not finite), lr}, the numbers the engine's progress gives (TrainProgress diverged_step, diverged_loss).
   * evaluation: the test evaluation of the final weights when no epoch-end one covers them (a stopped run);
   * trainEvaluation: accuracy on up to 10k training digits in inference mode, for the gap.
   */
  TRAIN_DONE: 'trainDone',
  /** {step, total_steps, loss, accuracy, elapsed, paused}: a FINETUNE under way (FineTuneProgress) */
  FINETUNE_PROGRESS: 'finetuneProgress',
});

/** Progress events are throttled to about this many per second. */
export const PROGRESS_PER_SECOND = 10;
