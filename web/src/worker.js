// A model worker: owns one wasm Engine (one model, and the digits it trains and
// is tested on), and answers the requests in protocol.js. Training runs a few
// batches per core.train() call and yields between calls, so pause/stop/predict
// messages are handled while it trains and the page's main thread never waits on it.
import createMnistLab from './wasm/mnist_lab.mjs';
import {download} from './data/download.js';
import {compileBestCore} from './engine/compile.js';
import {Core} from './engine/core.js';
import {ThreadTuner} from './engine/tuner.js';
import {Notice, PROGRESS_PER_SECOND, Reply, Request} from './protocol.js';

const CHUNK_MS = 40; // wall time of one core.train() call; the worker answers messages in between
const GAP_SAMPLES = 10000; // training digits measured after a run, for the generalisation gap
const POINTS_PER_RUN = 400; // a run is sampled about this often for the page's curves (Notice.PROGRESS points)

/** @type {Core} */
let core = null;
let info = null; // ModelInfo of the current model
const loading = {train: null, test: null}; // in-flight downloads, shared by concurrent requests
let run = null; // the training run, see startRun()

const post = (msg, transfer = []) => self.postMessage(msg, transfer);

// The page compiles the wasm once and sends the module in its first message (INIT),
// so two workers cost one download.
let init;
const initMessage = new Promise((resolve) => {
  init = resolve;
});
const THREADED_START_MS = 60000; // the pthreads build must be up by then (downloads included)
const POOL_START_MS = 8000; // and its thread workers this long after its wasm is
let engine = {threaded: false, threads: 1};
let threadShare = 1; // the threads this worker's runs may use (Request.SHARE_CORES): all it has, until told
const ready = initMessage
  .then(async ({module, threaded, wasmUrls, lifeline}) => {
    const watched = await holdLifeline(lifeline);
    const options = {print: () => {}, printErr: (t) => console.warn(t)};
    if (threaded) {
      try {
        core = await startThreaded(threaded, options);
        engine = {threaded: true, threads: core.threads()};
        threadShare = engine.threads;
      } catch (e) {
        console.warn(
          `mnist-lab: the multi-threaded engine did not start (${e.message || e}); using the single-thread one.`,
        );
      }
    }
    if (!core) {
      if (!module) module = await compileBestCore(wasmUrls);
      core = await Core.load(createMnistLab, {
        ...options,
        instantiateWasm(imports, done) {
          WebAssembly.instantiate(module, imports).then((instance) => done(instance, module));
          return {};
        },
      });
    }
    engine.fma = core.fma();
    post({
      type: Reply.READY,
      presets: core.presets(),
      defaults: core.defaults,
      maxWeightsBytes: core.maxWeightsBytes(),
      engine,
      lifeline: watched,
    });
  })
  .catch((e) => {
    post({type: Reply.FATAL, message: `The neural-network engine could not start: ${e.message || e}`});
    throw e;
  });

/**
 * Holds the Web Lock named by the page for as long as this worker lives: the page
 * waits for the same lock, which the browser hands it once this worker has ended,
 * however it ended (even by closing itself without a word). Resolves once held
 * (true), or at once (false) without a name or without Web Locks.
 */
function holdLifeline(name) {
  if (!name || !self.navigator?.locks) return Promise.resolve(false);
  return new Promise((held) => {
    navigator.locks
      .request(name, () => {
        held(true);
        return new Promise(() => {}); // released only with the worker
      })
      .catch(() => held(false)); // refused (an opaque origin): the page will not wait for it
  });
}

/**
 * The pthreads build (served as is from wasm-mt/, beside its mnist_lab.worker.js):
 * imports its module script, starts it on `wasm` (its plain or its fused multiply-add
 * module, on the same glue) with a pool of threads - 1 workers, and
 * sets the thread count. Throws if any step fails, or if the download takes over
 * THREADED_START_MS or the pool is not up POOL_START_MS after the wasm is.
 */
async function startThreaded({url, wasm: wasmUrl, threads}, options) {
  // An error thrown in a pool worker's handler ends the attempt, and must not
  // reach the page as this worker's own failure. A pool worker whose script is
  // missing may fail silently: the timers catch that.
  let fail;
  const failure = new Promise((_, reject) => {
    fail = reject;
  });
  const onError = (e) => {
    e.preventDefault();
    // Emscripten rethrows a pool worker's error event, which carries no message.
    fail(new Error(e.error instanceof Error ? e.error.message : 'a thread worker failed to start'));
  };
  self.addEventListener('error', onError);
  const timers = [
    setTimeout(() => fail(new Error(`it was not up after ${THREADED_START_MS / 1000} s`)), THREADED_START_MS),
  ];
  try {
    const {default: factory} = await Promise.race([import(/* @vite-ignore */ url), failure]);
    const wasm = wasmUrl || new URL('mnist_lab.wasm', url).href;
    const c = await Promise.race([
      Core.load(factory, {
        ...options,
        mnistPool: threads - 1,
        instantiateWasm(imports, done) {
          WebAssembly.instantiateStreaming(fetch(wasm), imports).then(({instance, module}) => {
            timers.push(
              setTimeout(
                () => fail(new Error(`its thread workers were not up after ${POOL_START_MS / 1000} s`)),
                POOL_START_MS,
              ),
            );
            done(instance, module); // starts loading the pool; the factory resolves once it is up
          }, fail);
          return {};
        },
      }),
      failure,
    ]);
    c.setThreads(threads);
    return c;
  } finally {
    timers.forEach(clearTimeout);
    self.removeEventListener('error', onError);
  }
}

self.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === Request.INIT) {
    init({module: msg.module, threaded: msg.threaded, wasmUrls: msg.wasmUrls, lifeline: msg.lifeline});
    return;
  }
  try {
    await ready;
  } catch {
    post({type: Reply.ERROR, id: msg.id, message: 'the engine did not start'});
    return;
  }
  try {
    const handler = handlers[msg.type];
    if (!handler) throw new Error(`unknown request '${msg.type}'`);
    await handler(msg);
  } catch (e) {
    if (isFatal(e)) crash(e);
    else post({type: Reply.ERROR, id: msg.id, message: e.message || String(e)});
  }
};

/** A trap inside the wasm engine (out of bounds, out of memory, abort): its state can no longer be trusted. */
const isFatal = (e) =>
  e instanceof WebAssembly.RuntimeError ||
  /memory access out of bounds|out of memory|Aborted\(|unreachable|Cannot enlarge memory/i.test(e?.message || '');

function crash(e) {
  post({type: Reply.CRASHED, message: e.message || String(e)});
  self.close();
}

// --- data ----------------------------------------------------------------

/**
 * Downloads a split's two files (once, however many requests ask meanwhile), each written into
 * the engine as it inflates, and loads them there. If either fails, the other is given up too
 * and the engine lets go of both.
 */
function ensureSplit(split, urls) {
  if (core.count(split) > 0) return Promise.resolve();
  if (!loading[split]) {
    const [im, lb] = split === 'train' ? [urls.trainImages, urls.trainLabels] : [urls.testImages, urls.testLabels];
    const name = (u) => u.split('/').pop();
    const progress = (p) => post({type: Notice.DATA_PROGRESS, ...p});
    const images = core.stagedFile(split, 'images');
    const labels = core.stagedFile(split, 'labels');
    loading[split] = Promise.all([
      download(im, name(im), progress, images.write),
      download(lb, name(lb), progress, labels.write),
    ])
      .then(() => core.loadStaged(split, images.written, labels.written))
      .catch((e) => {
        images.close();
        labels.close();
        core.unstage(split);
        throw e;
      })
      .finally(() => {
        loading[split] = null;
      });
  }
  return loading[split];
}

// --- predictions ---------------------------------------------------------

/** Every layer's output for the forward pass just run, when the request asks (into its spare buffer), else null. */
const activationsAsked = (m) => (m.activations ? core.activations(info.layers.length, m.spare) : null);
/** The one buffer the activations are views into, to transfer. */
const buffersOf = (activations) => (activations ? [activations[0].buffer] : []);

/** m: the request ({id, activations, spare}); every activation is a view into one buffer, reusing m.spare's. */
function predictionReply(m, probs, extra = {}, extraTransfer = []) {
  const input = core.input();
  const activations = activationsAsked(m);
  const transfer = [probs.buffer, input.buffer, ...buffersOf(activations), ...extraTransfer];
  post({type: Reply.PREDICTION, id: m.id, probs, input, activations, ...extra}, transfer);
}

// --- training ------------------------------------------------------------

const channel = new MessageChannel();
let wake = null;
channel.port1.onmessage = () => wake();
/** Lets queued messages (pause, stop, predict) run, without setTimeout's clamping. */
const yieldToMessages = () =>
  new Promise((resolve) => {
    wake = resolve;
    channel.port2.postMessage(0);
  });

/** The first `limit` training digits in inference mode (0: all of them). */
const evaluateTrain = (limit) => core.evaluate(limit, {split: 'train'});

/** The test digits (first `limit`; 0: all) with every sample's predicted class. */
function evaluateTest(limit = 0) {
  const ev = core.evaluate(limit, {split: 'test', predictions: true});
  ev.predicted = Uint8Array.from(ev.predicted || []);
  return ev;
}

async function startRun(msg) {
  // A new run replaces a training run, but never ends a fine-tune the page started (its reply is awaited).
  if (run?.fineTune) throw new Error('the model is fine-tuning on your digits: stop that first');
  if (run) {
    run.stop = true;
    run.resume?.();
    await run.done;
  }
  if (!core.count('train') || !core.count('test')) throw new Error('load the training and test data first');
  const evalEvery = msg.evalEvery ?? 0;
  const until = msg.until ?? 0;
  if (!Number.isInteger(evalEvery) || evalEvery < 0 || evalEvery > 1e8)
    throw new Error(`evalEvery must be a whole number of training digits from 0 to 100,000,000, got ${evalEvery}`);
  if (typeof until !== 'number' || !(until >= 0 && until <= 100))
    throw new Error(`until must be a test accuracy in percent from 0 to 100, got ${until}`);
  const settings = core.settings(msg.config);
  // One engine call checks everything before it replaces the model: a refused start keeps the
  // current one. The core trains on the first `limit` digits only (0: all).
  info = core.startNewTraining(msg.model, settings);
  const count = core.count('train');
  const samples = settings.limit > 0 ? Math.min(settings.limit, count) : count;
  // steps: single batches asked for while paused (Request.STEP); stepped: their replies, in order.
  // perEval: batches between tests within an epoch (0: after each epoch only); until: a fraction (0: none).
  const perEval = evalEvery > 0 ? Math.ceil(evalEvery / settings.batch) : 0;
  run = {
    paused: !!msg.paused,
    stop: false,
    resume: null,
    samples,
    steps: 0,
    stepped: [],
    perEval,
    until: until / 100,
    batch: settings.batch,
  };
  run.done = trainLoop(run);
  post({type: Reply.STARTED, id: msg.id, info, samples});
}

/**
 * A run's (training's or fine-tuning's) stopping place: while `r` is paused, or held by
 * Request.TEST_HOLD at `step`, and has no single step to do, reports (report()) and waits
 * until it is resumed. Resolves true if it waited, so the caller looks at the run again.
 */
async function waitWhilePaused(r, step, report) {
  const held = testHold && step >= testHold.steps;
  if ((!r.paused && !held) || r.steps > 0) return false;
  report();
  if (held) testHold.reached(step);
  await new Promise((resolve) => {
    r.resume = resolve;
  });
  r.resume = null;
  return true;
}

/**
 * n steps of the run in the engine, at the threads `tuner` picks for them (engine/tuner.js), which
 * it then learns how fast they went -> {p: the engine's progress, dt: ms they took}.
 */
function trainTuned(tuner, n) {
  const threads = tuner.next(threadShare, performance.now());
  if (threads !== core.threads()) core.setThreads(threads);
  const t0 = performance.now();
  const p = core.train(n);
  const dt = performance.now() - t0;
  tuner.record(threads, dt / n, performance.now());
  return {p, dt};
}

/** Whatever a run's tuner chose, the worker has its share of the threads again (evaluations, the next run). */
function shareBack() {
  if (core.threads() !== threadShare) core.setThreads(threadShare);
}

/** The steps of the next core.train() call, from the last chunk's and its ms per step: about CHUNK_MS of work. */
const nextChunk = (chunk, msPerStep) =>
  Math.max(1, Math.min(200, 2 * chunk, Math.round(CHUNK_MS / Math.max(msPerStep, 0.01))));

async function trainLoop(r) {
  const perPost = 1000 / PROGRESS_PER_SECOND;
  let chunk = 1;
  let elapsed = 0; // seconds of training compute
  let evalSeconds = 0; // duration of the last test evaluation
  let lastPost = 0;
  let prev = {epoch: 0, batch: 0, loss: 0, accuracy: 0};
  let evaluatedAt = -1; // step of the last test evaluation
  let testedAt = 0; // step of the last test the run asked for (after an epoch, or every r.perEval batches)
  let reached = false; // a test came at or above r.until
  let p = null;
  let points = []; // the run sampled since the last progress notice
  const tuner = new ThreadTuner(); // the threads it trains at, up to its share (always 1 without threads)

  const progress = (paused = false) => {
    const same = p.epoch === prev.epoch && p.batch > prev.batch;
    const nb = same ? p.batch - prev.batch : p.batch;
    const recentLoss = same ? (p.loss * p.batch - prev.loss * prev.batch) / nb : p.loss;
    const recentAccuracy = same ? (p.accuracy * p.batch - prev.accuracy * prev.batch) / nb : p.accuracy;
    prev = {epoch: p.epoch, batch: p.batch, loss: p.loss, accuracy: p.accuracy};
    const perStep = p.step > 0 ? elapsed / p.step : 0;
    const evalsLeft =
      p.epochs - p.epoch + (p.epoch_done ? 0 : 1) + (r.perEval ? Math.floor((p.total_steps - p.step) / r.perEval) : 0);
    const evalGuess = evalSeconds || (p.samples_per_second > 0 ? 10000 / (3 * p.samples_per_second) : 0);
    const eta = (p.total_steps - p.step) * perStep + evalsLeft * evalGuess;
    post({
      type: Notice.PROGRESS,
      epoch: p.epoch,
      epochs: p.epochs,
      batch: p.batch,
      batches_per_epoch: p.batches_per_epoch,
      step: p.step,
      total_steps: p.total_steps,
      loss: p.loss,
      accuracy: p.accuracy,
      recentLoss,
      recentAccuracy,
      samples_per_second: p.samples_per_second,
      lr: p.lr,
      points,
      elapsed,
      eta,
      paused,
      heapBytes: core.heapBytes(),
      threads: core.threads(),
      diverged: p.diverged,
      message: p.message,
    });
    lastPost = performance.now();
    points = [];
  };
  const testEvaluation = () => {
    const t0 = performance.now();
    const ev = evaluateTest(0);
    evalSeconds = (performance.now() - t0) / 1000;
    evaluatedAt = p ? p.step : 0;
    return {split: 'test', ...ev};
  };

  try {
    for (;;) {
      if (r.stop) break;
      if (await waitWhilePaused(r, p?.step ?? 0, () => p && progress(r.paused))) continue;
      const stepping = r.steps > 0;
      // A call ends where the run is next sampled (and where a test holds it); a step is one batch.
      const done = p?.step ?? 0;
      const every = p ? Math.max(1, Math.ceil(p.total_steps / POINTS_PER_RUN)) : 1;
      let n = Math.min(chunk, every - (done % every));
      if (testHold) n = Math.min(n, testHold.steps - done);
      if (r.perEval) n = Math.min(n, r.perEval - (done - testedAt));
      if (stepping) n = 1;
      const took = trainTuned(tuner, n);
      p = took.p;
      elapsed += took.dt / 1000;
      chunk = nextChunk(chunk, took.dt / n);
      if (!p.diverged && (p.step % every === 0 || p.epoch_done)) {
        const {step, epoch, batch, loss, accuracy, lr} = p;
        points.push({step, epoch, batch, loss, accuracy, lr, elapsed});
      }

      // A test after each epoch, and every r.perEval batches since the last test when asked.
      const testDue = p.epoch_done || (r.perEval > 0 && p.step - testedAt >= r.perEval);
      if (stepping) {
        r.steps--;
        progress(r.paused);
      } else if (testDue || p.finished || performance.now() - lastPost >= perPost) progress();
      if (p.diverged) {
        post({
          type: Notice.TRAIN_DONE,
          reason: 'diverged',
          message: p.message,
          elapsed,
          step: p.diverged_step,
          loss: p.diverged_loss,
          lr: p.lr,
          evaluation: null,
          trainEvaluation: null,
        });
        return;
      }
      if (testDue) {
        testedAt = p.step;
        const evaluation = testEvaluation();
        post({
          type: Notice.EPOCH,
          epoch: p.epoch,
          epochs: p.epochs,
          within: !p.epoch_done,
          position: p.epoch - 1 + p.batch / p.batches_per_epoch,
          samples: (p.epoch - 1) * r.samples + Math.min(p.batch * r.batch, r.samples),
          trainLoss: p.loss,
          trainAccuracy: p.accuracy,
          evaluation,
          elapsed,
          heapBytes: core.heapBytes(),
        });
        reached = r.until > 0 && evaluation.accuracy >= r.until;
      }
      if (stepping) r.stepped.shift()?.(p.step);
      if (p.finished || reached) break;
      await yieldToMessages();
    }
    const evaluation = p && evaluatedAt !== p.step ? testEvaluation() : null;
    // The gap is measured on the digits this run trained on (at most 10k of them).
    const trainEvaluation =
      p && p.step > 0 ? {split: 'train', ...evaluateTrain(Math.min(GAP_SAMPLES, r.samples))} : null;
    post({
      type: Notice.TRAIN_DONE,
      reason: reached ? 'reached' : p?.finished ? 'finished' : 'stopped',
      message: '',
      elapsed,
      evaluation,
      trainEvaluation,
    });
  } catch (e) {
    if (isFatal(e)) {
      crash(e);
      return;
    }
    post({
      type: Notice.TRAIN_DONE,
      reason: 'error',
      message: e.message || String(e),
      elapsed,
      evaluation: null,
      trainEvaluation: null,
    });
  } finally {
    shareBack();
    for (const answer of r.stepped.splice(0)) answer(p?.step ?? 0);
    if (run === r) run = null;
  }
}

// --- test hooks ----------------------------------------------------------

/**
 * Set by Request.TEST_HOLD: {steps, reached(step)}. A run holds once it has done `steps`
 * batches, as if paused (pause, resume and stop still answer), until Request.TEST_RELEASE,
 * so a test can act at a known point of a run whatever the machine's speed.
 */
let testHold = null;

// --- the Draw view's experiments -----------------------------------------

/** The bytes of an IDX file the user gave, inflated first if they are gzipped. */
async function inflated(bytes, what) {
  if (!(bytes instanceof Uint8Array)) throw new Error(`the ${what} file must be bytes (a Uint8Array)`);
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    const stream = new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (bytes)])
      .stream()
      .pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch {
    throw new Error(`the ${what} file looks gzipped but does not inflate`);
  }
}

/**
 * Request.FINETUNE: a run on the current model over the user's digits mixed with MNIST's, driven as
 * TRAIN's (pause, resume, stop, TEST_HOLD and STEP act on it through `run`), with its own progress
 * notice; answered once it ends, with the fine-tuned model's evaluation on the full test set.
 */
async function finetune(m) {
  if (run) throw new Error('stop the training run first');
  if (!(m.images instanceof Uint8Array) || !(m.labels instanceof Uint8Array))
    throw new Error('fine-tuning needs images and labels as Uint8Arrays');
  if (m.urls) for (const split of ['train', 'test']) await ensureSplit(split, m.urls);
  if (!core.count('train') || !core.count('test')) throw new Error('load the training and test data first');
  if (run) throw new Error('stop the training run first'); // one may have started while the data loaded
  core.startFinetune(m.images, m.labels, {steps: m.steps, batch: m.batch, lr: m.lr, seed: m.seed});
  const r = {fineTune: true, paused: false, stop: false, resume: null, samples: 0, steps: 0, stepped: []};
  run = r;
  r.done = finetuneLoop(r);
  const {p, elapsed} = await r.done;
  const evaluation = {split: 'test', ...evaluateTest(0)};
  const reason = p?.finished ? 'finished' : 'stopped';
  post({type: Reply.FINETUNED, id: m.id, reason, steps: p?.step ?? 0, elapsed, evaluation}, [
    evaluation.predicted.buffer,
  ]);
}

/** Runs the fine-tuning run r to its end or its stop -> {p: the last progress, elapsed: s of training}. */
async function finetuneLoop(r) {
  let p = null;
  let elapsed = 0;
  let chunk = 1;
  let lastPost = 0;
  const tuner = new ThreadTuner(); // as a training run's (trainLoop)
  const progress = () => {
    post({
      type: Notice.FINETUNE_PROGRESS,
      step: p.step,
      total_steps: p.total_steps,
      loss: p.loss,
      accuracy: p.accuracy,
      elapsed,
      paused: r.paused,
      threads: core.threads(),
    });
    lastPost = performance.now();
  };
  try {
    for (;;) {
      if (r.stop) break;
      if (await waitWhilePaused(r, p?.step ?? 0, () => p && progress())) continue;
      const stepping = r.steps > 0;
      let n = stepping ? 1 : chunk;
      if (testHold) n = Math.max(1, Math.min(n, testHold.steps - (p?.step ?? 0)));
      const took = trainTuned(tuner, n);
      p = took.p;
      elapsed += took.dt / 1000;
      chunk = nextChunk(chunk, took.dt / n);
      if (p.diverged) throw new Error(p.message);
      if (stepping || p.finished || performance.now() - lastPost >= 1000 / PROGRESS_PER_SECOND) progress();
      if (stepping) {
        r.steps--;
        r.stepped.shift()?.(p.step);
      }
      if (p.finished) break;
      await yieldToMessages();
    }
    return {p, elapsed};
  } finally {
    shareBack();
    for (const answer of r.stepped.splice(0)) answer(p?.step ?? 0);
    if (run === r) run = null;
  }
}

/** Every pixel finite and 784 of them, as the engine wants its images. */
function image784(image) {
  if (!(image instanceof Float32Array) || image.length !== 784)
    throw new Error('an image must be a Float32Array of 784 pixels');
  return image;
}

const experimentHandlers = {
  [Request.PREPARE]: (m) => {
    const {pixels, width, height, centre = true, dx = 0, dy = 0, angle = 0, thickness = 0} = m;
    const {image, probs} = core.prepare(pixels, width, height, {centre, dx, dy, angle, thickness});
    // The forward pass just run was the prepared image's: its activations follow the moved digit.
    const activations = activationsAsked(m);
    post({type: Reply.PREPARED, id: m.id, image, probs, activations}, [
      image.buffer,
      probs.buffer,
      ...buffersOf(activations),
    ]);
  },

  [Request.PREDICT_IMAGE]: (m) => {
    const probs = core.predict(image784(m.image));
    post({type: Reply.PROBABILITIES, id: m.id, probs}, [probs.buffer]);
  },

  [Request.SWEEP]: (m) => {
    if (!Array.isArray(m.values)) throw new Error('a sweep needs its values as an array of numbers');
    const probs = core.sweep(image784(m.image), m.axis, m.values);
    post({type: Reply.SWEPT, id: m.id, axis: m.axis, values: m.values, probs}, [probs.buffer]);
  },

  [Request.SALIENCY]: (m) => {
    const image = image784(m.image);
    const gradient = core.inputGradient(image, m.cls);
    const occlusion = core.occlusion(image, m.cls, m.patch ?? 4);
    const probs = core.predict(image);
    post({type: Reply.SALIENCY, id: m.id, cls: m.cls, gradient, occlusion, probs}, [
      gradient.buffer,
      occlusion.buffer,
      probs.buffer,
    ]);
  },

  [Request.FOOL]: (m) => {
    const r = core.fool(image784(m.image), m.target, {epsilon: m.epsilon, step: m.step, maxSteps: m.maxSteps});
    post({type: Reply.FOOLED, id: m.id, ...r}, [r.image.buffer, r.probs.buffer]);
  },

  [Request.FINETUNE]: (m) => finetune(m),

  [Request.STEP_TRACE]: (m) => {
    if (run) throw new Error('stop the training run first');
    const t = core.stepTrace(image784(m.image), m.label, m.lr);
    const layers = t.layers.map((l, i) => {
      const {token, kind, shape, offset} = info.layers[i];
      return {token, kind, shape, offset, ...l};
    });
    const shared = layers.length ? [layers[0].output.buffer] : [];
    post({type: Reply.STEP_TRACE, id: m.id, loss: t.loss, probs: t.probs, layers}, [t.probs.buffer, ...shared]);
  },

  [Request.READ_IDX]: async (m) => {
    const images = await inflated(m.images, 'images');
    const labels = await inflated(m.labels, 'labels');
    const d = core.readIdx(images, labels);
    post({type: Reply.DIGITS, id: m.id, ...d}, [d.images.buffer, d.labels.buffer]);
  },
};

// --- request handlers ----------------------------------------------------

const handlers = {
  [Request.DESCRIBE]: (m) => post({type: Reply.DESCRIBED, id: m.id, ...core.describe(m.model, m.batch)}),
  [Request.DESCRIBE_WEIGHTS]: (m) => post({type: Reply.DESCRIBED, id: m.id, ...core.describeWeights(m.bytes)}),

  [Request.LOAD_WEIGHTS]: async (m) => {
    let res;
    try {
      res = await fetch(m.url);
    } catch {
      throw new Error(`could not download the weights ${m.url.split('/').pop()} (network error)`);
    }
    if (!res.ok) throw new Error(`could not download the weights ${m.url.split('/').pop()} (HTTP ${res.status})`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (run) throw new Error('stop the training run first');
    info = core.importWeights(bytes);
    post({type: Reply.MODEL, id: m.id, info});
  },

  [Request.IMPORT_WEIGHTS]: (m) => {
    if (run) throw new Error('stop the training run first');
    info = core.importWeights(m.bytes);
    post({type: Reply.MODEL, id: m.id, info});
  },

  [Request.EXPORT_WEIGHTS]: (m) => {
    const bytes = core.exportWeights(!!m.half);
    post({type: Reply.WEIGHTS, id: m.id, bytes}, [bytes.buffer]);
  },

  [Request.PARAMS]: (m) => {
    const params = core.params();
    post({type: Reply.PARAMS, id: m.id, params, info}, [params.buffer]);
  },

  [Request.LOAD_DATA]: async (m) => {
    for (const split of m.splits) await ensureSplit(split, m.urls);
    post({type: Reply.DATA, id: m.id, train: core.count('train'), test: core.count('test')});
  },

  [Request.PREDICT_DRAWING]: (m) => {
    const probs = core.predictDrawing(m.pixels, m.width, m.height);
    predictionReply(m, probs, {pixels: m.pixels}, [m.pixels.buffer]);
  },

  [Request.PREDICT_TEST]: (m) => {
    const probs = core.predictSample('test', m.index);
    predictionReply(m, probs, {index: m.index, label: core.label('test', m.index)});
  },

  [Request.TEST_IMAGES]: (m) => {
    const pixels = core.images('test', m.indices);
    const all = core.labels('test');
    const labels = Uint8Array.from(m.indices, (index) => all[index]);
    post({type: Reply.IMAGES, id: m.id, indices: m.indices, pixels, labels}, [pixels.buffer, labels.buffer]);
  },

  [Request.TEST_LABELS]: (m) => {
    const labels = core.labels('test');
    post({type: Reply.LABELS, id: m.id, labels}, [labels.buffer]);
  },

  [Request.EVALUATE]: (m) => {
    const ev = m.split === 'train' ? evaluateTrain(m.limit || GAP_SAMPLES) : evaluateTest(m.limit || 0);
    post({type: Reply.EVALUATION, id: m.id, split: m.split || 'test', ...ev});
  },

  [Request.TRAIN]: (m) => startRun(m),

  [Request.PAUSE]: (m) => {
    if (run) {
      run.paused = true;
      run.resume?.(); // a held run (Request.TEST_HOLD) reports itself paused
    }
    post({type: Reply.PAUSED, id: m.id});
  },

  [Request.RESUME]: (m) => {
    if (run) {
      run.paused = false;
      run.resume?.();
    }
    post({type: Reply.RESUMED, id: m.id});
  },

  [Request.TEST_CRASH]: () => {
    throw new WebAssembly.RuntimeError('memory access out of bounds (test hook)');
  },

  [Request.SET_LR]: (m) => {
    if (!run) throw new Error('no training run');
    if (typeof m.lr !== 'number') throw new Error(`the learning rate must be a number, got ${typeof m.lr}`);
    core.setLearningRate(m.lr);
    post({type: Reply.LR_SET, id: m.id, lr: m.lr});
  },

  [Request.SHARE_CORES]: (m) => {
    if (!Number.isInteger(m.among) || m.among < 1)
      throw new Error(`among must be a whole number from 1, got ${JSON.stringify(m.among)}`);
    // Between two calls into the engine, so never while a batch runs. A run's tuner then
    // tries this share against one thread (trainLoop).
    threadShare = engine.threaded ? core.setThreads(Math.max(1, Math.floor(engine.threads / m.among))) : 1;
    post({type: Reply.CORES_SHARED, id: m.id, threads: threadShare});
  },

  [Request.STEP]: (m) => {
    if (!run?.paused) throw new Error(run ? 'pause the run before stepping it' : 'no training run to step');
    run.steps++;
    run.stepped.push((step) => post({type: Reply.STEPPED, id: m.id, step}));
    run.resume?.();
  },

  [Request.TEST_CLOSE]: () => {
    channel.port1.close(); // node (the tests' stand-in worker) would otherwise stay alive for the port
    self.close();
  },

  [Request.TEST_HOLD]: (m) =>
    /** @type {Promise<void>} */ (
      new Promise((resolve) => {
        let answered = false;
        testHold = {
          steps: m.steps,
          reached(step) {
            if (answered) return;
            answered = true;
            post({type: Reply.HELD, id: m.id, step});
            resolve();
          },
        };
      })
    ),

  [Request.TEST_RELEASE]: (m) => {
    testHold = null;
    run?.resume?.();
    post({type: Reply.RELEASED, id: m.id});
  },

  [Request.STOP]: (m) => {
    if (run) {
      run.stop = true;
      run.resume?.();
    }
    post({type: Reply.STOPPING, id: m.id});
  },

  ...experimentHandlers,
};
