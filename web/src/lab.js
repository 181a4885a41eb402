// The page's model of the lab, with no DOM in it: two model slots, each backed by
// its own worker ("mlp": the dense network, "cnn": the convolutional one), the
// digit in focus (a drawing or a test digit), data downloads, training runs and
// evaluations. Views listen to its events and call its methods; it never
// touches the page.
//
// Events (CustomEvent, detail in brackets):
//   ready {}                       presets known
//   model {slot}                   a slot has a new model (shipped, imported, trained, training)
//   prediction {slot, probs, input, activations, focus}   activations: valid until the slot's next prediction
//   focus {focus}                  the digit in focus changed (drawing / test digit / none)
//   feed {}                        a finished digit was fed in (stroke ended, test digit chosen): replay animations
//   data {split, state, loaded, total, message}
//   training {slot}                a run started, paused, resumed, stopped or ended
//   progress {slot, progress}      ~10/s per running slot
//   epoch {slot, record}
//   evaluation {slot}              slot.evaluation or slot.trainEvaluation changed
//   records {}                     the results table changed
//   notice {level: 'info'|'error', message}
//   restorable {slot, kind, record, text}  weights from an earlier visit are stored (see store.js):
//                                  kind 'ended' (a run's result) or 'run' (a copy taken mid-run); text
//                                  the question to ask, e.g. "Restore your trained MLP from … (…)?"
import plainWasmUrl from './wasm/mnist_lab.wasm?url';
import fmaWasmUrl from './wasm/mnist_lab-fma.wasm?url';
import {compileBestCore} from './engine/compile.js';
import {Notice, Request} from './protocol.js';
import {WorkerClient} from './worker-client.js';
import {forgetWeights, loadWeights, saveWeights} from './store.js';

/** While a slot trains, its weights go to IndexedDB at least this often (and after every epoch). */
export const CHECKPOINT_MS = 10000;

export const SLOTS = ['mlp', 'cnn'];
export const SLOT_TITLE = {mlp: 'MLP', cnn: 'CNN'};
export const SLOT_KIND = {mlp: 'dense network', cnn: 'convolutional network'};

const DATA_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
};
const SPLIT_BYTES = {train: 9_640_886, test: 1_602_446}; // gzipped, for progress before headers arrive

/**
 * The page's words for a run the core's divergence guard stopped (m: Notice.TRAIN_DONE,
 * lr: the run's peak learning rate): the step, the loss, and a learning rate to try.
 */
export function divergedMessage(m, lr) {
  const at = Number.isFinite(m.step) ? ` at step ${m.step.toLocaleString('en-US')}` : '';
  const loss = !Number.isFinite(m.loss)
    ? 'the loss was no longer a finite number'
    : `the loss jumped to ${Math.abs(m.loss) >= 1e4 ? m.loss.toExponential(2) : m.loss.toFixed(3)}`;
  const lower =
    Number.isFinite(lr) && lr > 0 ? ` than ${lr} (say ${Number(Math.min(lr / 10, 0.003).toPrecision(2))})` : '';
  return (
    `Training diverged${at}: ${loss}. The weights from the last good step are kept and still predict. ` +
    `Try a lower learning rate${lower}.`
  );
}

/** Both single-thread builds (engine/compile.js picks one), as absolute URLs a worker can fetch. */
const coreUrls = () => ({
  fma: new URL(fmaWasmUrl, location.href).href,
  plain: new URL(plainWasmUrl, location.href).href,
});

/**
 * The slot a model belongs in, from the core's description of it (Engine.describe or a preset):
 * `spatial` models, where a convolution or a pooling reads the image as 1x28x28, race as the CNN, the
 * rest as the MLP.
 */
export const slotFor = (described) => (described.spatial ? 'cnn' : 'mlp');

/**
 * The question a stored record raises after a reload (kind: see store.js), saying what the
 * copy is: the result of a run (how it ended, its score) or a copy taken part-way through one.
 */
export function restoreQuestion(slot, kind, record) {
  const m = record.metrics || {};
  const when = new Date(record.time).toLocaleString();
  const pct = (a) => `${(a * 100).toFixed(2)}% on the test digits`;
  const score = Number.isFinite(m.testAccuracy) ? pct(m.testAccuracy) : '';
  const runOf = (n) => (n > 0 ? `${n}-epoch run` : 'run');
  let how;
  if (kind === 'run' || m.partial) {
    const share = m.totalSteps > 0 ? `${Math.round((100 * m.step) / m.totalSteps)}% of the way` : 'part of the way';
    how = `a copy taken ${share} through a ${runOf(m.epochs)}, ${score ? `${score} after epoch ${m.epoch}` : `in epoch ${m.epoch}`}`;
    return `Restore your unfinished ${SLOT_TITLE[slot]} from ${when} (${how})?`;
  }
  const at = m.epoch > 0 && m.epochs > 0 ? ` at epoch ${m.epoch} of ${m.epochs}` : '';
  how =
    {
      finished: `finished ${runOf(m.epochs)}`,
      stopped: `run stopped${at}`,
      diverged: `run that diverged${at}`,
      error: `run that failed${at}`,
    }[m.ended] || '';
  const parts = [how, score].filter(Boolean).join(', ');
  return `Restore your trained ${SLOT_TITLE[slot]} from ${when}${parts ? ` (${parts})` : ''}?`;
}

/**
 * The pthreads build, when this page may run it: {url of its module script, threads},
 * or null. It needs SharedArrayBuffer, which a browser gives only to a cross-origin
 * isolated page (served with COOP/COEP, as npm start does); a plain static host or a
 * blog embedding the lab gets the single-thread build.
 */
function threadedCore(root) {
  if (!globalThis.crossOriginIsolated || typeof SharedArrayBuffer !== 'function') return null;
  const threads = Math.min(navigator.hardwareConcurrency || 1, 4);
  if (threads < 2) return null;
  return {url: new URL('wasm-mt/mnist_lab.mjs', root).href, threads};
}

class Slot {
  constructor(name, core) {
    this.name = name;
    this.client = new WorkerClient(`mnist-lab ${name}`, core);
    this.info = null; // ModelInfo
    this.title = ''; // preset name, "custom" or the file's name
    this.origin = 'starting'; // shipped | imported | training | trained | untrained
    this.generation = 0; // bumps whenever the weights are replaced
    this.error = null;
    this.training = null; // the run in progress, see Lab.train()
    this.lastRun = null; // the last finished run (same shape)
    this.evaluation = null; // {generation, ...Reply.EVALUATION} on the test set
    this.trainEvaluation = null; // same on 10k training digits
    this.trainSeconds = null;
    this.prediction = null; // {probs, input, activations, generation}
    // The activations of the prediction before this one, which no view reads any
    // more: their buffer is handed back to the worker to refill (Request.PREDICT_DRAWING),
    // so a view must not keep a prediction's activations past the next 'prediction' event.
    this.spare = null;
    this.pixels = null; // the buffer a drawing is copied into for the worker, which sends it back
    this.data = {}; // split -> Promise of the worker having it
    this.inflight = false;
    this.queued = null;
    this.paramsCache = null; // {generation, time, promise}
    this.goodWeights = null; // {bytes, origin, title}: what a restarted worker loads (null: the shipped file)
    this.saving = Promise.resolve(); // the IndexedDB copies, one after another (a later one never lands first)
    this.stored = {}; // kind -> the record from an earlier visit the page offers back (see store.js)
    this.restarts = 0;
  }
}

export class Lab extends EventTarget {
  /** @param {string|URL} root the site's folder (where weights/ and data/ live) */
  constructor(root) {
    super();
    this.root = new URL(root, location.href).href;
    this.urls = Object.fromEntries(
      Object.entries(DATA_FILES).map(([k, f]) => [k, new URL(`data/${f}`, this.root).href]),
    );
    this.threaded = threadedCore(this.root);
    this.compiled = null;
    const core = this.threaded ? {threaded: this.threaded, wasmUrls: coreUrls()} : {module: this.#module()};
    this.slots = Object.fromEntries(SLOTS.map((n) => [n, new Slot(n, core)]));
    this.presets = [];
    this.focus = {source: 'none'};
    /** Set by a mounted Train view, whose alert box tells of diverged runs ('trainDone'). */
    this.hasTrainView = false;
    this.lastDrawing = null; // {pixels, width, height}
    this.activationViews = new Set(); // views that want activations with predictions
    this.dataState = {
      train: {state: 'none', loaded: 0, total: SPLIT_BYTES.train, files: {}},
      test: {state: 'none', loaded: 0, total: SPLIT_BYTES.test, files: {}},
    };
    this.records = []; // the results table: one row per evaluated model
    this.labels = null; // Promise<Uint8Array> test labels
    this.imageCache = new Map(); // test index -> Uint8Array(784)
    this.ready = this.slots.mlp.client.ready.then((presets) => {
      // float32 recipes come back as e.g. 0.00100000005
      for (const p of presets) p.recipe.lr = Number(p.recipe.lr.toPrecision(6));
      this.presets = presets;
      this.emit('ready', {});
      return presets;
    });
    for (const slot of Object.values(this.slots)) this.#wire(slot);
  }

  /**
   * The single-thread core, compiled once for every worker that runs it: all of them
   * on a page that is not cross-origin isolated, else only restarted ones (a worker
   * falling back from the threaded core compiles it itself).
   */
  #module() {
    if (!this.compiled) {
      this.compiled = compileBestCore(coreUrls());
      this.compiled.catch(() => {});
    }
    return this.compiled;
  }

  emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, {detail}));
  }

  on(type, fn) {
    const listener = (e) => fn(e.detail);
    this.addEventListener(type, listener);
    return () => this.removeEventListener(type, listener);
  }

  notify(level, message) {
    this.emit('notice', {level, message});
  }

  /**
   * Which engine the workers run, for the page to show: "WebAssembly SIMD · 2 threads",
   * or per slot when they differ (one fell back). Empty until a worker is ready.
   */
  engineText() {
    const say = (e) =>
      `WebAssembly SIMD${e.fma ? ' with fused multiply-add' : ''} · ${e.threads} thread${e.threads === 1 ? '' : 's'}`;
    const engines = SLOTS.map((n) => this.slots[n].client.engine);
    if (engines.every((e) => !e)) return '';
    const texts = engines.map((e) => (e ? say(e) : 'starting'));
    if (texts.every((t) => t === texts[0])) return texts[0];
    return SLOTS.map((n, i) => `${SLOT_TITLE[n]}: ${texts[i]}`).join(' · ');
  }

  /**
   * The core's description of a model (Request.DESCRIBE) with what training it at `batch` needs
   * (the preset's batch, or the engine's default, if omitted), from a worker that is not training
   * if one is idle.
   */
  describe(model, batch) {
    const idle = SLOTS.find((n) => !this.slots[n].training) || 'mlp';
    return this.slots[idle].client.request(Request.DESCRIBE, {model, batch});
  }

  preset(name) {
    return this.presets.find((p) => p.name === name);
  }

  /** The preset whose spec this is, else "custom". */
  titleFor(spec) {
    const presets = this.presets.length
      ? this.presets
      : (Object.values(this.slots).find((s) => s.client.presets)?.client.presets ?? []);
    return presets.find((p) => p.spec === spec)?.name ?? 'custom';
  }

  // --- start-up: the shipped weights, no dataset ------------------------------

  /** Loads the shipped weights into both slots (each slot independently). */
  start() {
    for (const slot of Object.values(this.slots)) {
      slot.client.ready
        .then(() => this.#loadShipped(slot, {offerStored: true}))
        .catch((e) => {
          slot.error = e.message;
          slot.origin = 'error';
          this.emit('model', {slot: slot.name});
          this.notify('error', e.message);
        });
    }
    return this;
  }

  async #loadShipped(slot, {offerStored = false} = {}) {
    const url = new URL(`weights/${slot.name}.mlw`, this.root).href;
    const reply = await slot.client.request(Request.LOAD_WEIGHTS, {url});
    slot.goodWeights = null;
    this.#setModel(slot, reply.info, 'shipped', this.titleFor(reply.info.spec));
    if (offerStored) {
      for (const kind of ['ended', 'run']) {
        const record = await loadWeights(slot.name, kind);
        if (!record || slot.origin !== 'shipped') continue;
        slot.stored[kind] = record;
        this.emit('restorable', {slot: slot.name, kind, record, text: restoreQuestion(slot.name, kind, record)});
      }
    }
  }

  /** Loads weights stored by an earlier visit (see 'restorable'; kind 'ended' | 'run') into their slot. */
  async restore(name, kind = 'ended') {
    const slot = this.slots[name];
    const record = slot.stored[kind] || (await loadWeights(name, kind));
    if (!record) throw new Error('No stored weights to restore.');
    if (slot.training) throw new Error(`The ${SLOT_TITLE[name]} is training; stop it first.`);
    const reply = await slot.client.request(Request.IMPORT_WEIGHTS, {bytes: record.bytes.slice()});
    slot.stored = {};
    slot.goodWeights = {bytes: record.bytes, origin: 'restored', title: record.title};
    this.#setModel(slot, reply.info, 'restored', record.title || this.titleFor(reply.info.spec));
    return reply.info;
  }

  /** Forgets one of the stored records the page offered back. */
  dismissRestore(name, kind = 'ended') {
    delete this.slots[name].stored[kind];
    return forgetWeights(name, kind);
  }

  /**
   * Stores the slot's current weights in IndexedDB (kinds in store.js): as the run's copy
   * ('run') after an epoch, every CHECKPOINT_MS while it trains and when it pauses (metrics.partial,
   * with its step); as the run's result ('ended') when it ends, which then replaces the copy.
   * A copy the browser refuses is told once per run, a result always: the page still holds the
   * weights, which the user can download.
   */
  #persist(slot, kind, metrics = {}) {
    const generation = slot.generation;
    const client = slot.client;
    const run = slot.training || slot.lastRun;
    slot.saving = slot.saving.then(async () => {
      let bytes;
      try {
        ({bytes} = await client.request(Request.EXPORT_WEIGHTS, {half: false}));
      } catch {
        return; // no copy this time (the worker is gone): the previous one stays
      }
      if (slot.generation !== generation || slot.client !== client) return;
      const title = run?.title || slot.title;
      slot.goodWeights = {bytes, origin: 'trained', title};
      const refused = await saveWeights(slot.name, kind, {
        bytes,
        spec: slot.info?.spec,
        title,
        metrics,
        time: Date.now(),
      });
      if (!refused) {
        if (kind === 'ended') await forgetWeights(slot.name, 'run');
        return;
      }
      if (kind === 'run' && run?.storeRefused) return;
      if (run) run.storeRefused = true;
      const what =
        kind === 'ended'
          ? `the trained ${SLOT_TITLE[slot.name]}`
          : `a copy of the ${SLOT_TITLE[slot.name]} as it trains`;
      this.notify(
        'error',
        `Could not keep ${what} in this browser: ${refused}. ` +
          `Download its weights to keep them${kind === 'run' ? ' once it is done' : ''}.`,
      );
    });
    return slot.saving;
  }

  /** Stores every running slot's weights now (the tab is being hidden or closed: a last chance). */
  checkpoint() {
    return Promise.all(
      Object.values(this.slots)
        .filter((s) => s.training?.progress)
        .map((s) => this.#checkpoint(s)),
    );
  }

  #checkpoint(slot) {
    const t = slot.training;
    const p = t.progress;
    if (!p || p.step <= 0 || p.step === t.savedStep) return Promise.resolve();
    t.savedAt = performance.now();
    t.savedStep = p.step;
    return this.#persist(slot, 'run', {
      epoch: p.epoch,
      epochs: p.epochs,
      testAccuracy: null,
      partial: true,
      step: p.step,
      totalSteps: p.total_steps,
    });
  }

  /** True while a slot trains (has started, not just downloading): the page asks before it is closed. */
  get busy() {
    return Object.values(this.slots).some((s) => s.training?.samples > 0);
  }

  /** Bytes of the MNIST files downloaded so far for these splits: {loaded, total, done}. */
  downloadProgress(splits = ['train', 'test']) {
    let loaded = 0;
    let total = 0;
    for (const split of splits) {
      const d = this.dataState[split];
      total += d.total;
      loaded += d.state === 'ready' ? d.total : d.state === 'loading' ? d.loaded : 0;
    }
    return {loaded, total, done: splits.every((split) => this.dataState[split].state === 'ready')};
  }

  /** A worker died: say so, start a new one and load the last good weights into it. */
  async #restart(slot, message) {
    const title = SLOT_TITLE[slot.name];
    slot.restarts++;
    const run = slot.training;
    slot.training = null;
    slot.data = {};
    slot.inflight = false;
    slot.queued = null;
    slot.paramsCache = null;
    if (run) this.emit('training', {slot: slot.name});
    if (slot.restarts > 3) {
      slot.error = `The ${title} engine crashed again (${message}); reload the page to start it afresh.`;
      slot.origin = 'error';
      this.emit('model', {slot: slot.name});
      this.notify('error', slot.error);
      return;
    }
    this.notify(
      'error',
      `The ${title} engine crashed (${message})${run ? ' and its training run was lost' : ''}. ` +
        'It restarts with its last good weights.',
    );
    // A restarted worker runs the single-thread build: the proven path after a crash.
    slot.client = new WorkerClient(`mnist-lab ${slot.name}`, {module: this.#module()});
    this.#wire(slot);
    try {
      await slot.client.ready;
      const good = slot.goodWeights;
      if (good) {
        const reply = await slot.client.request(Request.IMPORT_WEIGHTS, {bytes: good.bytes.slice()});
        this.#setModel(slot, reply.info, good.origin, good.title);
      } else {
        await this.#loadShipped(slot);
      }
      this.notify('info', `The ${title} is running again.`);
    } catch (e) {
      slot.error = e.message;
      slot.origin = 'error';
      this.emit('model', {slot: slot.name});
      this.notify('error', `The ${title} could not restart: ${e.message}`);
    }
  }

  resetShipped(name) {
    return this.#loadShipped(this.slots[name]);
  }

  #setModel(slot, info, origin, title) {
    slot.info = info;
    slot.origin = origin;
    slot.title = title;
    slot.error = null;
    slot.generation++;
    slot.paramsCache = null;
    slot.evaluation = null;
    slot.trainEvaluation = null;
    if (origin !== 'trained') slot.trainSeconds = null;
    this.emit('model', {slot: slot.name});
    this.#repredict(slot);
  }

  // --- the digit in focus -------------------------------------------------

  /** A new drawing: ink (height*width, 0..1). Both models predict it. example: the built-in digit. */
  setDrawing(pixels, width, height, {example = false} = {}) {
    this.lastDrawing = {pixels, width, height};
    if (this.focus.source !== 'drawing' || this.focus.example !== example) this.#setFocus({source: 'drawing', example});
    for (const slot of Object.values(this.slots)) this.#repredict(slot);
  }

  clearDrawing() {
    this.lastDrawing = null;
    for (const slot of Object.values(this.slots)) {
      slot.prediction = null;
      slot.queued = null;
    }
    this.#setFocus({source: 'none'});
  }

  /** Puts test digit `index` in focus (downloads the test set if needed). */
  async showTestDigit(index) {
    await this.ensureData(SLOTS, ['test']);
    const labels = await this.testLabels();
    this.lastDrawing = null;
    this.#setFocus({source: 'test', index, label: labels[index]});
    for (const slot of Object.values(this.slots)) this.#repredict(slot);
    this.feed();
  }

  /** Marks the digit in focus as complete (a stroke ended): views replay their signal flow. */
  feed() {
    this.emit('feed', {});
  }

  async randomTestDigit() {
    await this.showTestDigit(Math.floor(Math.random() * 10000));
  }

  #setFocus(focus) {
    this.focus = focus;
    this.emit('focus', {focus});
  }

  /** Views that draw activations register while they are on screen. */
  wantActivations(view, on) {
    const before = this.activationViews.size;
    if (on) this.activationViews.add(view);
    else this.activationViews.delete(view);
    if (!before && this.activationViews.size) for (const slot of Object.values(this.slots)) this.#repredict(slot);
  }

  #repredict(slot) {
    if (!slot.info) return;
    const activations = this.activationViews.size > 0;
    if (this.focus.source === 'drawing' && this.lastDrawing) {
      const {pixels, width, height} = this.lastDrawing;
      this.#predict(slot, Request.PREDICT_DRAWING, {pixels, width, height, activations});
    } else if (this.focus.source === 'test') {
      this.#predict(slot, Request.PREDICT_TEST, {index: this.focus.index, activations});
    }
  }

  /** At most one prediction in flight per worker; newer requests replace queued ones. */
  #predict(slot, type, payload) {
    if (slot.inflight) {
      slot.queued = {type, payload};
      return;
    }
    slot.inflight = true;
    const focus = this.focus;
    const generation = slot.generation;
    const message = {...payload};
    const transfer = [];
    if (payload.activations && slot.spare) {
      message.spare = slot.spare;
      transfer.push(slot.spare.buffer);
      slot.spare = null;
    }
    if (payload.pixels) {
      // The drawing stays here (to predict again); the worker gets a copy in a buffer
      // it hands back with its reply, instead of a structured clone per request.
      const px = slot.pixels?.length === payload.pixels.length ? slot.pixels : new Float32Array(payload.pixels.length);
      slot.pixels = null;
      px.set(payload.pixels);
      message.pixels = px;
      transfer.push(px.buffer);
    }
    slot.client
      .request(type, message, transfer)
      .then((r) => {
        if (r.pixels) slot.pixels = r.pixels;
        if (this.focus.source === 'none') return; // cleared meanwhile
        const old = slot.prediction;
        slot.prediction = {probs: r.probs, input: r.input, activations: r.activations, generation, focus};
        this.emit('prediction', {slot: slot.name, ...slot.prediction});
        // The listeners have moved on to the new activations: the old ones' buffer
        // goes back to the worker with the next prediction (see Slot.spare).
        if (old?.activations) slot.spare = old.activations[0];
      })
      .catch((e) => {
        if (!/no model yet/.test(e.message)) this.notify('error', `${SLOT_TITLE[slot.name]}: ${e.message}`);
      })
      .finally(() => {
        slot.inflight = false;
        if (slot.queued) {
          const q = slot.queued;
          slot.queued = null;
          this.#predict(slot, q.type, q.payload);
        }
      });
  }

  // --- data ------------------------------------------------------------------

  /**
   * Makes sure the named slots' workers hold the splits. Workers download one
   * after another, so the second finds the files in the HTTP cache.
   */
  async ensureData(slotNames, splits) {
    for (const name of slotNames) await this.#slotData(this.slots[name], splits);
  }

  #slotData(slot, splits) {
    const jobs = splits.map((split) => {
      if (!slot.data[split]) {
        const first = this.dataState[split].state !== 'ready';
        if (first) this.#dataUpdate(split, {state: 'loading', message: ''});
        slot.data[split] = slot.client
          .request(Request.LOAD_DATA, {urls: this.urls, splits: [split]})
          .then(() => this.#dataUpdate(split, {state: 'ready', loaded: this.dataState[split].total}))
          .catch((e) => {
            slot.data[split] = null;
            this.#dataUpdate(split, {state: 'error', message: e.message});
            throw e;
          });
      }
      return slot.data[split];
    });
    return Promise.all(jobs);
  }

  #dataUpdate(split, patch) {
    Object.assign(this.dataState[split], patch);
    this.emit('data', {split, ...this.dataState[split]});
  }

  #onDataProgress(msg) {
    const split = msg.file.startsWith('train') ? 'train' : 'test';
    const st = this.dataState[split];
    if (st.state !== 'loading') return;
    st.files[msg.file] = msg;
    const files = Object.values(st.files);
    st.loaded = files.reduce((s, f) => s + f.loaded, 0);
    if (files.length === 2 && files.every((f) => f.total)) st.total = files.reduce((s, f) => s + f.total, 0);
    this.emit('data', {split, ...st});
  }

  testLabels() {
    if (!this.labels) {
      this.labels = this.ensureData(['mlp'], ['test'])
        .then(() => this.slots.mlp.client.request(Request.TEST_LABELS))
        .then((r) => r.labels)
        .catch((e) => {
          this.labels = null;
          throw e;
        });
    }
    return this.labels;
  }

  /** Test digits as bytes: Map index -> Uint8Array(784). */
  async testImages(indices) {
    const missing = indices.filter((i) => !this.imageCache.has(i));
    if (missing.length) {
      await this.ensureData(['mlp'], ['test']);
      const r = await this.slots.mlp.client.request(Request.TEST_IMAGES, {indices: missing});
      missing.forEach((index, k) => this.imageCache.set(index, r.pixels.subarray(k * 784, (k + 1) * 784)));
    }
    return new Map(indices.map((i) => [i, this.imageCache.get(i)]));
  }

  /** Each model's top class for these test digits: {mlp: Map index -> class, cnn: ...}. */
  async predictMany(indices) {
    await this.ensureData(SLOTS, ['test']);
    const out = {};
    await Promise.all(
      SLOTS.map(async (name) => {
        const r = await this.slots[name].client.request(Request.PREDICT_MANY, {indices});
        out[name] = new Map(indices.map((index, k) => [index, r.predicted[k]]));
      }),
    );
    return out;
  }

  // --- parameters and weights -------------------------------------------------

  /** All parameters of a slot's model (cached per model; refreshed every few seconds while training). */
  params(name) {
    const slot = this.slots[name];
    const c = slot.paramsCache;
    const stale = !c || c.generation !== slot.generation || (slot.training && performance.now() - c.time > 3000);
    if (stale) {
      slot.paramsCache = {
        generation: slot.generation,
        time: performance.now(),
        promise: slot.client.request(Request.PARAMS).then((r) => ({params: r.params, info: r.info})),
      };
      slot.paramsCache.promise.catch(() => {
        slot.paramsCache = null;
      });
    }
    return slot.paramsCache.promise;
  }

  async exportWeights(name) {
    const r = await this.slots[name].client.request(Request.EXPORT_WEIGHTS, {half: false});
    return r.bytes;
  }

  /** The spec inside a weights file, if its header reads (the core still checks everything). */
  static peekSpec(bytes) {
    const magic = 'MNLABW01';
    if (bytes.length < 20) return null;
    for (let i = 0; i < 8; i++) if (bytes[i] !== magic.charCodeAt(i)) return null;
    const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(16, true);
    if (len > 4096 || 20 + len > bytes.length) return null;
    return new TextDecoder().decode(bytes.subarray(20, 20 + len));
  }

  /**
   * Loads a weights file into the slot its spec belongs in. Throws an Error with a
   * readable message for a bad file; the current models are then untouched.
   */
  async importWeights(bytes, fileName = 'weights file') {
    const spec = Lab.peekSpec(bytes);
    const described = spec ? await this.describe(spec).catch(() => null) : null;
    const name = slotFor(described || {});
    const slot = this.slots[name];
    if (slot.training) throw new Error(`The ${SLOT_TITLE[name]} is training; stop it before loading weights.`);
    let reply;
    const copy = bytes.slice();
    try {
      reply = await slot.client.request(Request.IMPORT_WEIGHTS, {bytes}, [bytes.buffer]);
    } catch (e) {
      throw new Error(`Could not load "${fileName}": ${e.message}. The current models are unchanged.`);
    }
    const title = this.titleFor(reply.info.spec);
    const shown = title === 'custom' ? fileName.replace(/\.[^.]*$/, '') : title;
    slot.goodWeights = {bytes: copy, origin: 'imported', title: shown};
    this.#setModel(slot, reply.info, 'imported', shown);
    return {slot: name, info: reply.info};
  }

  // --- evaluation and the results table ----------------------------------------

  async evaluate(names = SLOTS) {
    await this.ensureData(names, ['test']);
    await Promise.all(
      names.map(async (name) => {
        const slot = this.slots[name];
        const generation = slot.generation;
        const ev = await slot.client.request(Request.EVALUATE, {split: 'test'});
        if (slot.generation !== generation) return;
        slot.evaluation = {generation, ...ev};
        this.emit('evaluation', {slot: name});
        this.#record(slot);
      }),
    );
  }

  /** Accuracy on 10k training digits, for the generalisation gap (downloads the training set). */
  async measureGap(names = SLOTS) {
    await this.ensureData(names, ['train', 'test']);
    await Promise.all(
      names.map(async (name) => {
        const slot = this.slots[name];
        const generation = slot.generation;
        const ev = await slot.client.request(Request.EVALUATE, {split: 'train', limit: 10000});
        if (slot.generation !== generation) return;
        slot.trainEvaluation = {generation, ...ev};
        this.emit('evaluation', {slot: name});
        this.#record(slot);
      }),
    );
  }

  #record(slot) {
    if (!slot.evaluation || !slot.info) return;
    const key = `${slot.name}:${slot.generation}`;
    const run = slot.origin === 'trained' ? slot.lastRun : null;
    const row = {
      key,
      slot: slot.name,
      title: slot.title,
      spec: slot.info.spec,
      params: slot.info.params,
      origin: slot.origin,
      accuracy: slot.evaluation.accuracy,
      loss: slot.evaluation.loss,
      trainAccuracy: slot.trainEvaluation?.accuracy ?? null,
      seconds: slot.origin === 'trained' ? slot.trainSeconds : null,
      epochs: run ? run.epochsDone : null,
      samples: run ? run.samples : null,
    };
    const at = this.records.findIndex((r) => r.key === key);
    if (at >= 0) this.records[at] = row;
    else this.records.push(row);
    this.emit('records', {});
  }

  // --- training ---------------------------------------------------------------

  /**
   * Trains a fresh model in a slot. spec: preset name or layer spec; config: TrainConfig,
   * whose seed (default 1) also draws the fresh model's weights.
   * Resolves when the run has started (downloads first); throws with a readable message.
   */
  async train(name, {model, title, config, seed = config.seed ?? 1}) {
    const slot = this.slots[name];
    if (slot.training) throw new Error(`The ${SLOT_TITLE[name]} is already training.`);
    const t = {
      state: 'preparing',
      model,
      title,
      config,
      samples: 0,
      progress: null,
      points: [],
      epochs: [],
      epochsDone: 0,
      startedAt: performance.now(),
      elapsed: 0,
      reason: '',
    };
    slot.training = t;
    this.emit('training', {slot: name});
    try {
      await this.ensureData([name], ['train', 'test']);
      if (slot.training !== t) return; // stopped while downloading
      const reply = await slot.client.request(Request.TRAIN, {model, seed, config}).catch((e) => {
        throw new Error(`The ${SLOT_TITLE[name]} did not start training: ${e.message}. Its current model is kept.`);
      });
      t.samples = reply.samples;
      t.savedAt = performance.now();
      t.state = t.pauseWanted ? 'paused' : 'running';
      if (t.pauseWanted) this.#control(slot, Request.PAUSE);
      this.#setModel(slot, reply.info, 'training', title);
      this.emit('training', {slot: name});
    } catch (e) {
      if (slot.training === t) slot.training = null;
      this.emit('training', {slot: name});
      throw e;
    }
  }

  /** Trains the MLP preset and the CNN preset side by side, each in its own worker. */
  async race(configFor) {
    if (SLOTS.some((n) => this.slots[n].training)) throw new Error('Stop the current training run first.');
    // Both workers download first (one after the other, the second from the HTTP cache),
    // so the two runs start together.
    const waiting = Object.fromEntries(
      SLOTS.map((n) => [
        n,
        {state: 'preparing', points: [], epochs: [], config: configFor(n), title: n, startedAt: performance.now()},
      ]),
    );
    const clear = () => {
      for (const n of SLOTS) {
        if (this.slots[n].training === waiting[n]) this.slots[n].training = null;
        this.emit('training', {slot: n});
      }
    };
    for (const n of SLOTS) this.slots[n].training = waiting[n];
    for (const n of SLOTS) this.emit('training', {slot: n});
    try {
      await this.ensureData(SLOTS, ['train', 'test']);
    } catch (e) {
      clear();
      throw e;
    }
    const go = SLOTS.every((n) => this.slots[n].training === waiting[n]); // not stopped meanwhile
    clear();
    if (go) await Promise.all(SLOTS.map((n) => this.train(n, {model: n, title: n, config: configFor(n)})));
  }

  pause(name) {
    const t = this.slots[name].training;
    if (!t) return;
    if (t.state === 'preparing') t.pauseWanted = true;
    else this.#control(this.slots[name], Request.PAUSE);
    t.state = 'paused';
    this.emit('training', {slot: name});
  }

  resume(name) {
    const t = this.slots[name].training;
    if (!t) return;
    t.pauseWanted = false;
    this.#control(this.slots[name], Request.RESUME);
    t.state = 'running';
    this.emit('training', {slot: name});
  }

  stop(name) {
    const t = this.slots[name].training;
    if (!t) return;
    if (t.state === 'preparing') {
      // Nothing runs yet: forget the run (the download finishes in the background).
      this.slots[name].training = null;
      this.emit('training', {slot: name});
      return;
    }
    t.state = 'stopping';
    this.#control(this.slots[name], Request.STOP);
    this.emit('training', {slot: name});
  }

  /** Pause, resume or stop: a worker that dies meanwhile is told by its 'crash' event, not by this request. */
  #control(slot, type) {
    slot.client.request(type).catch(() => {});
  }

  #wire(slot) {
    const c = slot.client;
    c.addEventListener('crash', (e) => {
      if (slot.client === c) this.#restart(slot, e.detail.message);
    });
    c.on(Notice.DATA_PROGRESS, (m) => this.#onDataProgress(m));
    c.on(Notice.PROGRESS, (p) => {
      const t = slot.training;
      if (!t) return;
      t.progress = p;
      t.elapsed = p.elapsed;
      const x = p.epoch - 1 + p.batch / p.batches_per_epoch;
      if (p.batch > 0 && Number.isFinite(p.recentLoss)) t.points.push({x, loss: p.recentLoss, acc: p.recentAccuracy});
      this.emit('progress', {slot: slot.name, progress: p});
      // A paused run may be left for good (the tab closed later): it is stored as it stands.
      if (!p.diverged && (p.paused || performance.now() - t.savedAt >= CHECKPOINT_MS)) this.#checkpoint(slot);
    });
    c.on(Notice.EPOCH, (m) => {
      const t = slot.training;
      if (!t) return;
      const record = {
        epoch: m.epoch,
        trainLoss: m.trainLoss,
        trainAccuracy: m.trainAccuracy,
        testLoss: m.evaluation.loss,
        testAccuracy: m.evaluation.accuracy,
        elapsed: m.elapsed,
      };
      t.epochs.push(record);
      t.epochsDone = m.epoch;
      slot.evaluation = {generation: slot.generation, ...m.evaluation};
      slot.trainSeconds = m.elapsed;
      this.emit('epoch', {slot: slot.name, record});
      this.emit('evaluation', {slot: slot.name});
      if (m.epoch < m.epochs) {
        // after the last one, the run's result is stored (Notice.TRAIN_DONE)
        t.savedAt = performance.now();
        t.savedStep = t.progress?.step;
        this.#persist(slot, 'run', {
          epoch: m.epoch,
          epochs: m.epochs,
          testAccuracy: m.evaluation.accuracy,
          partial: true,
          step: t.progress?.step,
          totalSteps: t.progress?.total_steps,
        });
      }
    });
    c.on(Notice.TRAIN_DONE, (m) => {
      const t = slot.training;
      if (!t) return;
      t.state = 'done';
      t.reason = m.reason;
      t.message = m.reason === 'diverged' ? divergedMessage(m, t.config?.lr) : m.message;
      t.elapsed = m.elapsed;
      slot.lastRun = t;
      slot.training = null;
      slot.origin = 'trained';
      slot.trainSeconds = m.elapsed;
      slot.paramsCache = null;
      if (m.evaluation) slot.evaluation = {generation: slot.generation, ...m.evaluation};
      if (m.trainEvaluation) slot.trainEvaluation = {generation: slot.generation, ...m.trainEvaluation};
      this.#record(slot);
      this.emit('training', {slot: slot.name});
      this.emit('evaluation', {slot: slot.name});
      this.emit('model', {slot: slot.name});
      if (m.reason === 'diverged') {
        // A train view shows it in its alert box; without one (an embedded drawing pad) a notice does.
        if (!this.hasTrainView) this.notify('error', `${SLOT_TITLE[slot.name]}: ${t.message}`);
      } else if (m.reason === 'error') {
        this.notify('error', `${SLOT_TITLE[slot.name]} training ended: ${m.message}`);
      }
      if (t.epochsDone > 0 || t.progress?.step > 0) {
        this.#persist(slot, 'ended', {
          epoch: t.progress?.epoch ?? t.epochsDone,
          epochs: t.config?.epochs,
          testAccuracy: slot.evaluation?.accuracy ?? null,
          ended: m.reason,
        });
      }
      this.#repredict(slot);
      // So the results can compare the two at once, score the other network too.
      const other = this.slots[slot.name === 'mlp' ? 'cnn' : 'mlp'];
      if (other.info && !other.training && !other.evaluation) this.evaluate([other.name]).catch(() => {});
    });
  }
}

/** One Lab per site root, shared by every view and <mnist-lab> element on the page. */
const labs = new Map();
export function getLab(root) {
  const key = new URL(root, location.href).href;
  if (!labs.has(key)) labs.set(key, new Lab(key).start());
  return labs.get(key);
}
