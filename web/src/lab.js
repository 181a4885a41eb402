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
//   model/experiments.js  moving the drawing, sweeps, saliency maps and adversarial nudges
//   model/mydigits.js     the user's own digits (IndexedDB, IDX files)
//   model/finetune.js     fine-tuning on them, and single recorded steps on one digit
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
//   move {move}                    the drawing is moved differently before the models read it
//   digits {digits, stored}        the user's digits changed (model/mydigits.js)
//   finetune {slot}                a fine-tune started, ended or failed (lab.finetuning.runs[slot])
//   finetune-progress {slot}       ~10/s while one runs
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
import {Experiments} from './model/experiments.js';
import {FineTuning} from './model/finetune.js';
import {Focus} from './model/focus.js';
import {MyDigits} from './model/mydigits.js';
import {Checkpoints} from './model/persistence.js';
import {SLOTS, Slot, slotFor} from './model/slot.js';
import {Training} from './model/training.js';
import {Notice, Request} from './protocol.js';

export {LabError} from './model/errors.js';
export {SLOTS, slotFor} from './model/slot.js';

/** Events the Lab passes on from its pieces as they are. */
const PASSED_ON = {
  slot: ['model', 'prediction', 'predicting'],
  focus: ['focus'],
  data: ['data'],
  training: ['training', 'progress', 'cores'],
  evaluations: ['evaluation', 'records'],
  checkpoints: ['restorable'],
  experiments: ['move'],
  myDigits: ['digits'],
  finetuning: ['finetune', 'finetune-progress'],
};

export class Lab extends Emitter {
  /** @param {string|URL} root the site's folder (where weights/ and data/ live) */
  constructor(root) {
    super();
    this.root = new URL(root, location.href).href;
    const titleFor = (spec) => this.titleFor(spec);
    // Each slot's worker runs the best engine this page may run (cores.js): threaded where it is isolated.
    const slot = (n) => new Slot(n, {root: this.root, core: bestCore(this.root), titleFor});
    /** @type {Record<string, Slot>} */
    this.slots = Object.fromEntries(SLOTS.map((n) => [n, slot(n)]));
    this.presets = [];
    /** @type {import('./protocol.js').TrainConfig | null} the engine's default settings, once ready */
    this.defaults = null;
    /** @type {number | null} the largest weights file the engine reads (bytes), once ready */
    this.maxWeightsBytes = null;
    this.focusing = new Focus();
    this.experiments = new Experiments();
    this.downloads = new Downloads(this.root);
    const ensureData = (slots, splits) => this.downloads.ensure(slots, splits);
    this.caches = new Caches({slots: this.slots, ensureTest: () => ensureData([this.slots.mlp], ['test'])});
    this.evaluations = new Evaluations(ensureData, new URL('results/results.json', this.root).href);
    this.checkpoints = new Checkpoints();
    this.training = new Training({
      slots: this.slots,
      ensureData,
      save: (slot, kind, metrics) => this.checkpoints.save(slot, kind, metrics),
      busyElsewhere: (slot) => this.finetuning.runs[slot.name]?.state === 'running',
    });
    this.myDigits = new MyDigits();
    this.finetuning = new FineTuning({slots: this.slots, ensureData, urls: /** @type {any} */ (this.downloads.urls)});
    this.#compose();
    this.ready = this.slots.mlp.client.ready.then((presets) => {
      this.presets = presets;
      this.defaults = this.slots.mlp.client.defaults;
      this.maxWeightsBytes = this.slots.mlp.client.maxWeightsBytes;
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
    passOn(this.experiments, PASSED_ON.experiments);
    passOn(this.myDigits, PASSED_ON.myDigits);
    passOn(this.finetuning, PASSED_ON.finetuning);
    // A fine-tune's model is scored on the whole test set: it joins the results as a run's does.
    this.finetuning.on('finetune', ({slot: name}) => {
      this.training.shareCores(); // a fine-tune shares the cores as a run does
      if (!this.finetuning.current(name)) return;
      this.evaluations.record(this.slots[name]);
      this.emit('evaluation', {slot: name});
    });
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

  /**
   * Gives these slots (by default every slot whose model is the user's: trained, fine-tuned, from a
   * file) their shipped weights back; a slot not in `unpretrained` is left as it is.
   */
  backToPretrained(names = this.unpretrained) {
    const mine = this.unpretrained;
    return Promise.all(names.filter((n) => mine.includes(n)).map((n) => this.resetShipped(n)));
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

  /** The reproduced articles' results (results/results.json), fetched once for the whole page. */
  results() {
    return this.evaluations.results();
  }

  timeToAccuracy() {
    return this.evaluations.timeToAccuracy();
  }

  testLabels() {
    return this.caches.testLabels();
  }

  /** Test digits as bytes: Map index -> Uint8Array(784). */
  testImages(indices) {
    return this.caches.testImages(indices);
  }

  /**
   * All parameters of a slot's model (cached per model; refreshed every few seconds while training).
   * fresh: as they are this moment, not the copy kept for a few seconds while the model trains.
   */
  params(name, {fresh = false} = {}) {
    if (fresh) this.caches.forgetParams(this.slots[name]);
    return this.caches.modelParams(this.slots[name]);
  }

  /** The digit in focus, read again by the slot's model as it is now (a training run changes it under the views). */
  predictAgain(name) {
    this.#predict(this.slots[name]);
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
  async train(name, run) {
    this.#refuseWhileFineTuning();
    return this.training.train(name, run);
  }

  /** Trains the MLP preset and the CNN preset side by side, each in its own worker. */
  async race(configFor) {
    this.#refuseWhileFineTuning();
    return this.training.race(configFor);
  }

  /** A fine-tune runs in the same workers as training: a new run would stop it. */
  #refuseWhileFineTuning() {
    if (this.finetuning.busy) throw new LabError('finetune-busy', {action: 'train'});
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

  // --- my digits, fine-tuning, one step -------------------------------------------------

  /**
   * The digit in focus as the models see it: Float32Array(784) in [0, 1] (a drawing prepared by
   * the core as the pad's predictions are, a test digit as it is), or null when there is none.
   */
  async focusImage() {
    const request = this.focusing.request();
    if (!request) return null;
    if (this.focus.source === 'test') {
      const bytes = (await this.testImages([this.focus.index])).get(this.focus.index);
      return Float32Array.from(bytes, (v) => v / 255);
    }
    // The pad's own request, whatever it moves the drawing by, without what only predictions take.
    const payload = /** @type {any} */ ({centre: true, ...request.payload});
    delete payload.activations;
    delete payload.spare;
    return (await this.#idleClient().request(Request.PREPARE, payload)).image;
  }

  /** Keeps the digit in focus, as the models see it, with its label among the user's digits. */
  async addMyDigit(label) {
    const image = await this.focusImage();
    if (!image) throw new LabError('no-digit');
    const bytes = Uint8Array.from(image, (v) => Math.round(v * 255));
    return this.myDigits.add(bytes, [label]);
  }

  removeMyDigit(id) {
    return this.myDigits.remove(id);
  }

  /**
   * Adds the digits of an IDX pair (images and labels: the files' bytes, raw or gzipped) to the
   * user's, once the core has read both. A pair it cannot read throws a LabError
   * ('digits-import-failed', with the core's words) and the digits are as they were.
   */
  async importMyDigits(images, labels, fileName = 'IDX files') {
    let read;
    try {
      read = await this.#idleClient().request(Request.READ_IDX, {images, labels});
    } catch (e) {
      throw new LabError('digits-import-failed', {file: fileName, cause: e.message});
    }
    return this.myDigits.add(read.images, read.labels);
  }

  /** Fine-tunes both models on the user's digits (model/finetune.js); resolves when both are done. */
  fineTune() {
    const {images, labels} = this.myDigits.data();
    return this.finetuning.run(images, labels);
  }

  /**
   * One recorded SGD step of each model on the digit in focus, taken as having `label` ->
   * {image (784, the digit as the models saw it), traces: {mlp: Reply.STEP_TRACE | {error}, cnn: ...}};
   * the models keep the step.
   */
  async stepTrace(label, lr) {
    const image = await this.focusImage();
    if (!image) throw new LabError('no-digit');
    const traces = await Promise.all(
      SLOTS.map((n) => this.finetuning.step(n, image.slice(), label, lr).catch((e) => ({error: e}))),
    );
    return {image, traces: Object.fromEntries(SLOTS.map((n, i) => [n, traces[i]]))};
  }

  // --- experiments on the digit in focus (model/experiments.js) ---------------------------

  /** How the drawing is moved before the models read it (a Move: centre, dx, dy, angle, thickness). */
  get move() {
    return this.experiments.move;
  }

  /** Moves the drawing (some of a Move's values; a bad one throws and changes nothing): both models read it again. */
  moveDrawing(change) {
    if (!this.experiments.setMove(change)) return;
    this.focusing.move = this.experiments.moved ? {...this.experiments.move} : null;
    this.#predictAll();
  }

  /**
   * Each model's probabilities as the digit is moved along `axis` ('x', 'y' or 'angle'), from the
   * digit as read before the Move -> {image, mlp: {axis, values, probs, answer} | {error}, cnn: ...}.
   */
  async sweep(axis) {
    const image = await this.#experimentImage(true);
    return {image, ...(await this.#bothModels((slot) => this.experiments.sweep(slot, image.slice(), axis)))};
  }

  /** Where each model's answer on the digit it reads comes from -> {image, mlp: Reply.SALIENCY | {error}, cnn}. */
  async saliency() {
    const image = await this.#experimentImage(false);
    return {image, ...(await this.#bothModels((slot) => this.experiments.saliency(slot, image.slice())))};
  }

  /**
   * Nudges the digit each model reads until it says `target` -> {image, mlp: Reply.FOOLED & {other:
   * the other model's probabilities for the nudged image} | {error}, cnn}.
   */
  async fool(target) {
    const image = await this.#experimentImage(false);
    const fooled = await this.#bothModels((slot) => this.experiments.fool(slot, image.slice(), target));
    await Promise.all(
      SLOTS.filter((n) => !fooled[n].error).map(async (n) => {
        const other = this.slots[SLOTS.find((o) => o !== n)];
        fooled[n].other = await this.experiments.predictImage(other, fooled[n].image.slice()).catch(() => null);
      }),
    );
    return {image, ...fooled};
  }

  /** The 28x28 image the experiments work on: what the models read now, or (unmoved) before the Move. */
  async #experimentImage(unmoved) {
    const slot = await Promise.race(SLOTS.map((n) => this.#loaded(this.slots[n])));
    const drawing = this.focus.source === 'drawing' && this.focusing.drawing;
    if (drawing) return (await this.experiments.prepare(slot, drawing, unmoved ? {} : this.experiments.move)).image;
    const seen = slot.prediction?.input;
    if (!seen) throw new LabError('no-digit');
    return seen.slice();
  }

  /** fn(slot) for both models at once -> {mlp: its result or {error: message}, cnn: ...}. */
  async #bothModels(fn) {
    const results = await Promise.all(
      SLOTS.map(async (n) => {
        const slot = await this.#loaded(this.slots[n]);
        if (!slot.loaded) return {error: slot.error?.message ?? 'its model did not load'};
        return fn(slot).catch((e) => ({error: e.message}));
      }),
    );
    return Object.fromEntries(SLOTS.map((n, i) => [n, results[i]]));
  }

  /** The slot once it holds a model or is down (a slot still starting or restarting is waited for). */
  #loaded(slot) {
    if (slot.loaded || slot.error) return Promise.resolve(slot);
    return new Promise((resolve) => {
      const off = slot.on('model', () => {
        if (!slot.loaded && !slot.error) return;
        off();
        resolve(slot);
      });
    });
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
