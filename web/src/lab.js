// The page's model of the lab, with no DOM and no words in it: the Lab composes the
// pieces in model/ and is what the views hold. Each piece has one job and emits its own
// events; none of them knows the Lab. The Lab passes their events on (as its own, below),
// ties them together (a run's end is recorded, stored and predicted again), and says what
// went wrong as data ('notice'); the views word it (views/words.js).
//
//   model/slot.js         one model worker: start, crash restart, the prediction queue
//   model/focus.js        the digit in focus (a drawing, a test digit or none)
//   model/downloads.js    the MNIST downloads (what the page follows of the workers')
//   model/training.js     the training runs' state machine
//   model/evaluations.js  test-set evaluations and the results table
//   model/persistence.js  IndexedDB checkpoints
//   model/caches.js       test labels and images, each model's parameters
//   model/cores.js        which build of the core a worker runs
//
// Events (CustomEvent, detail in brackets):
//   ready {}                       presets and the engine's default settings known
//   model {slot}                   a slot has a new model (shipped, imported, trained, training) or broke
//   prediction {slot, probs, input, activations, generation, focus}
//                                  activations: valid until the slot's next prediction
//   focus {focus}                  the digit in focus changed (drawing / test digit / none)
//   feed {}                        a finished digit was fed in (stroke ended, test digit chosen): replay animations
//   data {split, state, loaded, total, message}
//   training {slot}                a run started, paused, resumed, stopped or ended
//   progress {slot, progress}      ~10/s per running slot
//   epoch {slot, record}
//   evaluation {slot}              slot.evaluation or slot.trainEvaluation changed
//   records {}                     the results table changed
//   restorable {slot, kind, record}  weights from an earlier visit are stored (model/persistence.js)
//   notice {kind, slot, ...}       something the page should tell, as data:
//     start-failed {message}        the slot's worker or its shipped weights did not load
//     crashed {message, lostRun}    its worker died; a new one starts with the last good weights
//     restarted {}                  ... and runs again
//     failed {stage, message}       the slot is down (stage: 'crashed' again, or the 'restart' failed)
//     prediction-failed {message}
//     run-failed {message}          a run ended with the engine's error
//     diverged {run}                the core's divergence guard stopped a run (run.step, run.loss)
//     store-refused {copy, reason}  the browser would not keep weights (copy: 'run' | 'ended', see
//                                   model/persistence.js)
import {Caches} from './model/caches.js';
import {bestCore} from './model/cores.js';
import {Downloads} from './model/downloads.js';
import {Emitter} from './model/emitter.js';
import {LabError} from './model/errors.js';
import {Evaluations} from './model/evaluations.js';
import {Focus} from './model/focus.js';
import {Checkpoints} from './model/persistence.js';
import {SLOTS, Slot, slotFor} from './model/slot.js';
import {Training} from './model/training.js';
import {Notice, Request} from './protocol.js';

export {LabError} from './model/errors.js';
export {SLOTS, slotFor} from './model/slot.js';

/** Events the Lab passes on from its pieces as they are. */
const PASSED_ON = {
  slot: ['model', 'prediction'],
  focus: ['focus'],
  data: ['data'],
  training: ['training', 'progress'],
  evaluations: ['evaluation', 'records'],
  checkpoints: ['restorable'],
};

export class Lab extends Emitter {
  /** @param {string|URL} root the site's folder (where weights/ and data/ live) */
  constructor(root) {
    super();
    this.root = new URL(root, location.href).href;
    const core = bestCore(this.root);
    const titleFor = (spec) => this.titleFor(spec);
    /** @type {Record<string, Slot>} */
    this.slots = Object.fromEntries(SLOTS.map((n) => [n, new Slot(n, {root: this.root, core, titleFor})]));
    this.presets = [];
    /** @type {import('./protocol.js').TrainConfig | null} the engine's default settings, once ready */
    this.defaults = null;
    this.focusing = new Focus();
    this.downloads = new Downloads(this.root);
    const ensureData = (slots, splits) => this.downloads.ensure(slots, splits);
    this.caches = new Caches({slots: this.slots, ensureTest: () => ensureData([this.slots.mlp], ['test'])});
    this.evaluations = new Evaluations(ensureData, new URL('results/results.json', this.root).href);
    this.checkpoints = new Checkpoints();
    this.training = new Training({
      slots: this.slots,
      ensureData,
      save: (slot, kind, metrics) => this.checkpoints.save(slot, kind, metrics),
    });
    this.#compose();
    this.ready = this.slots.mlp.client.ready.then((presets) => {
      // float32 recipes come back as e.g. 0.00100000005
      for (const p of presets) p.recipe.lr = Number(p.recipe.lr.toPrecision(6));
      this.presets = presets;
      this.defaults = this.slots.mlp.client.defaults;
      this.emit('ready', {});
      return presets;
    });
  }

  #compose() {
    const passOn = (piece, types) => {
      for (const type of types) piece.on(type, (detail) => this.emit(type, detail));
    };
    const notice = (kind, detail) => this.emit('notice', {kind, ...detail});
    for (const slot of Object.values(this.slots)) {
      passOn(slot, PASSED_ON.slot);
      slot.on('model', () => {
        this.#predict(slot);
        this.evaluations.useShipped(slot);
      });
      slot.on('prediction-failed', (d) => notice('prediction-failed', d));
      slot.on('crash', ({slot: name, message, lostRun, final}) => {
        this.caches.forgetParams(slot);
        if (lostRun) this.emit('training', {slot: name});
        if (!final) notice('crashed', {slot: name, message, lostRun});
      });
      slot.on('restarted', (d) => notice('restarted', d));
      slot.on('failed', (d) => notice(d.stage === 'start' ? 'start-failed' : 'failed', d));
    }
    passOn(this.focusing, PASSED_ON.focus);
    passOn(this.downloads, PASSED_ON.data);
    for (const slot of Object.values(this.slots))
      slot.listen(Notice.DATA_PROGRESS, (m) => this.downloads.onProgress(m));
    passOn(this.training, PASSED_ON.training);
    this.training.on('epoch', (d) => {
      this.emit('epoch', d);
      this.emit('evaluation', {slot: d.slot});
    });
    this.training.on('ended', ({slot: name, run}) => this.#ended(this.slots[name], run));
    passOn(this.evaluations, PASSED_ON.evaluations);
    passOn(this.checkpoints, PASSED_ON.checkpoints);
    this.checkpoints.on('refused', ({slot, kind, reason}) => notice('store-refused', {slot, copy: kind, reason}));
  }

  /** A run ended: its result is the slot's model, scored in the table; the other network is scored too. */
  #ended(slot, run) {
    this.caches.forgetParams(slot);
    this.evaluations.record(slot);
    this.emit('training', {slot: slot.name});
    this.emit('evaluation', {slot: slot.name});
    this.emit('model', {slot: slot.name});
    if (run.reason === 'diverged') this.emit('notice', {kind: 'diverged', slot: slot.name, run});
    else if (run.reason === 'error') this.emit('notice', {kind: 'run-failed', slot: slot.name, message: run.message});
    this.#predict(slot);
    // So the results can compare the two at once, score the other network too.
    const other = this.slots[slot.name === 'mlp' ? 'cnn' : 'mlp'];
    if (other.info && !other.training && !other.evaluation) this.evaluate([other.name]).catch(() => {});
  }

  /** The builds the workers run, per slot: {mlp: EngineInfo | null, cnn: ...}. */
  engines() {
    return Object.fromEntries(SLOTS.map((n) => [n, this.slots[n].engine]));
  }

  /**
   * The core's description of a model (Request.DESCRIBE) with what training it at `batch` needs
   * (the preset's batch, or the engine's default, if omitted), from a worker that is not training
   * if one is idle.
   */
  describe(model, batch) {
    return this.#idleClient().request(Request.DESCRIBE, {model, batch});
  }

  /** The core's description of a weights file's model (Request.DESCRIBE_WEIGHTS), the file checked whole. */
  describeWeights(bytes) {
    return this.#idleClient().request(Request.DESCRIBE_WEIGHTS, {bytes});
  }

  /** The worker of a slot that is not training, if one is idle. */
  #idleClient() {
    const idle = SLOTS.find((n) => !this.slots[n].training) || 'mlp';
    return this.slots[idle].client;
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

  // --- start-up, stored and shipped weights ----------------------------------------

  /** Loads the shipped weights into both slots (each independently), then offers back what an earlier visit stored. */
  start() {
    for (const slot of Object.values(this.slots)) {
      slot.start().then((started) => started && this.checkpoints.offer(slot));
    }
    return this;
  }

  /** Loads weights stored by an earlier visit (see 'restorable'; kind 'ended' | 'run') into their slot. */
  restore(name, kind = 'ended') {
    return this.checkpoints.restore(this.slots[name], kind);
  }

  /** Forgets one of the stored records the page offered back. */
  dismissRestore(name, kind = 'ended') {
    return this.checkpoints.dismiss(name, kind);
  }

  resetShipped(name) {
    return this.slots[name].loadShipped();
  }

  /** The slots "Back to pretrained" would give their shipped weights back: a model not pretrained, not training. */
  get unpretrained() {
    return SLOTS.filter((n) => this.slots[n].owner && this.slots[n].owner !== 'pretrained' && !this.slots[n].training);
  }

  /** Gives every slot whose model is the user's (trained, fine-tuned, from a file) its shipped weights back. */
  backToPretrained() {
    return Promise.all(this.unpretrained.map((n) => this.resetShipped(n)));
  }

  /** Stores every running slot's weights now (the tab is being hidden or closed: a last chance). */
  checkpoint() {
    return this.training.checkpoint();
  }

  /** True while a slot trains (has started, not just downloading): the page asks before it is closed. */
  get busy() {
    return this.training.busy;
  }

  // --- data, caches --------------------------------------------------------------

  get dataState() {
    return this.downloads.state;
  }

  /** Bytes of the MNIST files downloaded so far for these splits: {loaded, total, done}. */
  downloadProgress(splits = ['train', 'test']) {
    return this.downloads.progress(splits);
  }

  /** Makes sure the named slots' workers hold the splits. */
  ensureData(names, splits) {
    return this.downloads.ensure(
      names.map((n) => this.slots[n]),
      splits,
    );
  }

  testLabels() {
    return this.caches.testLabels();
  }

  /** Test digits as bytes: Map index -> Uint8Array(784). */
  testImages(indices) {
    return this.caches.testImages(indices);
  }

  /** All parameters of a slot's model (cached per model; refreshed every few seconds while training). */
  params(name) {
    return this.caches.modelParams(this.slots[name]);
  }

  // --- weights files ---------------------------------------------------------------

  exportWeights(name) {
    return this.slots[name].exportWeights();
  }

  /**
   * Loads a weights file into the slot its spec belongs in -> {slot, info}. A bad file throws
   * a LabError ('import-failed', with the engine's words); the current models are then untouched.
   */
  async importWeights(bytes, fileName = 'weights file') {
    // Which slot the file goes to, from the core's reading of it; a file it cannot read goes nowhere.
    const described = await this.describeWeights(bytes);
    if (!described.spec) throw new LabError('import-failed', {file: fileName, cause: described.error});
    const name = slotFor(described);
    const slot = this.slots[name];
    if (slot.training) throw new LabError('training', {slot: name, action: 'import'});
    const copy = bytes.slice();
    let info;
    try {
      info = await slot.importWeights(bytes);
    } catch (e) {
      throw new LabError('import-failed', {file: fileName, cause: e.message});
    }
    const title = this.titleFor(info.spec);
    const shown = title === 'custom' ? fileName.replace(/\.[^.]*$/, '') : title;
    slot.keep(copy, 'imported', shown);
    slot.setModel(info, 'imported', shown);
    return {slot: name, info};
  }

  // --- evaluation --------------------------------------------------------------------

  get records() {
    return this.evaluations.records;
  }

  evaluate(names = SLOTS) {
    return this.evaluations.evaluate(names.map((n) => this.slots[n]));
  }

  /** Accuracy on 10k training digits, for the generalisation gap (downloads the training set). */
  measureGap(names = SLOTS) {
    return this.evaluations.measureGap(names.map((n) => this.slots[n]));
  }

  // --- training ------------------------------------------------------------------------

  /** Trains a fresh model in a slot (model/training.js); resolves once the run has started. */
  train(name, run) {
    return this.training.train(name, run);
  }

  /** Trains the MLP preset and the CNN preset side by side, each in its own worker. */
  race(configFor) {
    return this.training.race(configFor);
  }

  pause(name) {
    this.training.pause(name);
  }

  resume(name) {
    this.training.resume(name);
  }

  stop(name) {
    this.training.stop(name);
  }

  /** The slot's run trains at `lr` from its next batch on (model/training.js). */
  setLearningRate(name, lr) {
    return this.training.setLearningRate(name, lr);
  }

  /** One batch of the slot's paused run -> the step it is at after it. */
  step(name) {
    return this.training.step(name);
  }

  // --- the digit in focus ------------------------------------------------------------

  get focus() {
    return this.focusing.focus;
  }

  /** A new drawing: ink (height*width, 0..1). Both models predict it. example: the built-in digit. */
  setDrawing(pixels, width, height, {example = false} = {}) {
    this.focusing.setDrawing(pixels, width, height, example);
    this.#predictAll();
  }

  clearDrawing() {
    for (const slot of Object.values(this.slots)) slot.clearPrediction();
    this.focusing.clear();
  }

  /** Puts test digit `index` in focus (downloads the test set if needed). */
  async showTestDigit(index) {
    await this.ensureData(SLOTS, ['test']);
    const labels = await this.testLabels();
    this.focusing.showTest(index, labels[index]);
    this.#predictAll();
    this.feed();
  }

  async randomTestDigit() {
    await this.showTestDigit(Math.floor(Math.random() * 10000));
  }

  /** Marks the digit in focus as complete (a stroke ended): views replay their signal flow. */
  feed() {
    this.emit('feed', {});
  }

  /** Views that draw activations register while they are on screen. */
  wantActivations(view, on) {
    if (this.focusing.wantActivations(view, on)) this.#predictAll();
  }

  #predict(slot) {
    slot.predict(this.focusing.request(), this.focusing.focus);
  }

  #predictAll() {
    for (const slot of Object.values(this.slots)) this.#predict(slot);
  }
}

/** One Lab per site root, shared by every view and <mnist-lab> element on the page. */
const labs = new Map();
export function getLab(root) {
  const key = new URL(root, location.href).href;
  if (!labs.has(key)) labs.set(key, new Lab(key).start());
  return labs.get(key);
}
