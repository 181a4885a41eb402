// One model slot: a worker and the model in it ('mlp', the dense network, and 'cnn', the
// convolutional one, each in its own). It starts the worker and loads the shipped
// weights, starts a new worker when one crashes (with the last good weights), and keeps
// at most one prediction in flight. The run, evaluations and prediction it holds are
// read by the views; training.js and evaluations.js fill them in.
//
// Events (CustomEvent, detail in brackets):
//   model {slot}                     a new model, or the slot broke (error)
//   prediction {slot, probs, input, activations, generation, focus}
//                                    activations: valid until the slot's next prediction
//   prediction-failed {slot, message}
//   predicting {slot, busy}          busy: a prediction is in flight or waiting (the shown one is not the
//                                    latest input's yet); false once the newest request is answered
//   crash {slot, message, lostRun, final}  the worker died; final: no restart (too many)
//   restarted {slot}                 a new worker runs the last good weights
//   failed {slot, stage, message}    the slot is down; stage: 'start' | 'crashed' | 'restart'
import {Request} from '../protocol.js';
import {WorkerClient} from '../worker-client.js';
import {singleThreadCore} from './cores.js';
import {Emitter} from './emitter.js';

export const SLOTS = ['mlp', 'cnn'];

/**
 * The slot a model belongs in, from the core's description of it (Engine.describe, a preset
 * or a model's info): `spatial` models, where a convolution or a pooling reads the image as
 * 1x28x28, race as the CNN, the rest as the MLP.
 */
export const slotFor = (described) => (described.spatial ? 'cnn' : 'mlp');

/**
 * Whose model a slot holds, by its origin: 'pretrained' (the shipped weights), 'yours' (trained or
 * training in this page, or restored from an earlier visit), 'fine-tuned' (fine-tuned on the user's
 * digits) or 'file' (loaded from a weights file). The views badge a model by it.
 */
const OWNER = {
  shipped: 'pretrained',
  training: 'yours',
  trained: 'yours',
  restored: 'yours',
  finetuned: 'fine-tuned',
  imported: 'file',
};

/**
 * What kind of network a model is, from the core's layer attributes (ModelInfo.layers): 'cnn' when
 * a layer convolves (filters), 'mlp' when a non-linearity (an activation, or max pooling) lies
 * between two dense layers (units), else 'linear': one dense layer, or dense layers that compose
 * into one, is a linear classifier.
 * @param {import('../protocol.js').ModelInfo} info
 * @returns {'cnn' | 'mlp' | 'linear'}
 */
export function modelKind(info) {
  const layers = info.layers;
  if (layers.some((l) => l.filters > 0)) return 'cnn';
  const dense = layers.flatMap((l, i) => (l.units > 0 ? [i] : []));
  const between = layers.slice(dense[0] + 1, dense[dense.length - 1]);
  return between.some((l) => l.activation || l.pooling === 'max') ? 'mlp' : 'linear';
}

/** A slot whose worker crashed more often than this stays down until the page reloads. */
const MAX_RESTARTS = 3;

export class Slot extends Emitter {
  /**
   * @param {string} name 'mlp' | 'cnn'
   * @param {{root: string, core: object, titleFor: (spec: string) => string}} options root: the
   *   site folder (weights/<name>.mlw); core: the build the first worker runs (cores.js); titleFor:
   *   the preset a spec is, else 'custom'
   */
  constructor(name, {root, core, titleFor}) {
    super();
    this.name = name;
    this.root = root;
    this.titleFor = titleFor;
    this.info = null; // ModelInfo
    this.title = ''; // preset name, "custom" or the file's name
    this.origin = 'starting'; // shipped | imported | restored | training | trained | finetuned | error (see OWNER)
    this.generation = 0; // bumps whenever the weights are replaced
    this.error = null; // {stage, message} once the slot is down (see 'failed')
    this.training = null; // the run in progress (training.js)
    this.lastRun = null; // the last finished run (same shape)
    this.evaluation = null; // {generation, ...Reply.EVALUATION} on the test set
    this.trainEvaluation = null; // same on 10k training digits
    this.trainSeconds = null;
    this.prediction = null; // {probs, input, activations, generation, focus}
    this.data = {}; // split -> Promise of this worker having it (downloads.js)
    this.goodWeights = null; // {bytes, origin, title}: what a restarted worker loads (null: the shipped file)
    this.restarts = 0;
    this.listeners = []; // [notice type, fn]: attached to every worker this slot starts
    this.loaded = false; // the current worker holds a model (a restarted one has none until it loads)
    // The prediction queue: at most one request in flight, the newest waiting.
    this.inflight = false;
    this.queued = null;
    this.cleared = 0; // bumps when the digit is cleared: replies to earlier requests are dropped
    // The activations of the prediction before this one, which no view reads any more: their
    // buffer is handed back to the worker to refill (Request.PREDICT_DRAWING), so a view must
    // not keep a prediction's activations past the next 'prediction' event.
    this.spare = null;
    this.pixels = null; // the buffer a drawing is copied into for the worker, which sends it back
    this.client = this.#spawn(core);
  }

  /** Whose model the slot holds (see OWNER), or null while it holds none. */
  get owner() {
    return this.info ? (OWNER[this.origin] ?? null) : null;
  }

  /** A prediction is in flight or waiting: the one shown may not be the latest input's. */
  get busy() {
    return this.inflight || this.queued !== null;
  }

  /** What kind of network the model is (modelKind), or null while there is none. */
  get kind() {
    return this.info ? modelKind(this.info) : null;
  }

  /** The build the worker runs (EngineInfo), once it is ready. */
  get engine() {
    return this.client.engine;
  }

  /** Calls fn(message) for each worker notice of `type` (protocol.js Notice), from this worker and any restarted one. */
  listen(type, fn) {
    this.listeners.push([type, fn]);
    this.client.on(type, fn);
  }

  #spawn(core) {
    const client = new WorkerClient(`mnist-lab ${this.name}`, core);
    client.addEventListener('crash', (e) => {
      if (this.client === client) this.#restart(e.detail.message);
    });
    for (const [type, fn] of this.listeners) client.on(type, fn);
    return client;
  }

  /** Starts with the shipped weights; resolves true once they are in, false if the slot is down. */
  async start() {
    try {
      await this.client.ready;
      await this.loadShipped();
      return true;
    } catch (e) {
      this.#fail('start', e.message);
      return false;
    }
  }

  /** Loads the shipped weights (weights/<name>.mlw). */
  async loadShipped() {
    const url = new URL(`weights/${this.name}.mlw`, this.root).href;
    const reply = await this.client.request(Request.LOAD_WEIGHTS, {url});
    this.goodWeights = null;
    this.setModel(reply.info, 'shipped', this.titleFor(reply.info.spec));
  }

  /** Loads a weights file into the worker -> its ModelInfo (the caller sets the model). The bytes are transferred. */
  async importWeights(bytes) {
    const reply = await this.client.request(Request.IMPORT_WEIGHTS, {bytes}, [bytes.buffer]);
    return reply.info;
  }

  /** The weights file of the current model. */
  async exportWeights() {
    return (await this.client.request(Request.EXPORT_WEIGHTS, {half: false})).bytes;
  }

  /** Keeps these weights (a weights file) as what a restarted worker loads. */
  keep(bytes, origin, title) {
    this.goodWeights = {bytes, origin, title};
  }

  setModel(info, origin, title) {
    this.info = info;
    this.origin = origin;
    this.title = title;
    this.error = null;
    this.loaded = true;
    this.generation++;
    this.evaluation = null;
    this.trainEvaluation = null;
    if (origin !== 'trained') this.trainSeconds = null;
    this.emit('model', {slot: this.name});
  }

  /** A worker died: start a new one (the single-thread build, the proven path) and load the last good weights. */
  async #restart(message) {
    this.restarts++;
    const lostRun = !!this.training;
    this.training = null;
    this.data = {};
    this.loaded = false;
    this.#settle(() => {
      this.inflight = false;
      this.queued = null;
    });
    const final = this.restarts > MAX_RESTARTS;
    this.emit('crash', {slot: this.name, message, lostRun, final});
    if (final) {
      this.#fail('crashed', message);
      return;
    }
    this.client = this.#spawn(singleThreadCore());
    try {
      await this.client.ready;
      const good = this.goodWeights;
      if (good) this.setModel(await this.importWeights(good.bytes.slice()), good.origin, good.title);
      else await this.loadShipped();
      this.emit('restarted', {slot: this.name});
    } catch (e) {
      this.#fail('restart', e.message);
    }
  }

  #fail(stage, message) {
    this.error = {stage, message};
    this.origin = 'error';
    this.emit('model', {slot: this.name});
    this.emit('failed', {slot: this.name, stage, message});
  }

  // --- the prediction queue ------------------------------------------------

  /** Forgets the prediction and any waiting request (the digit was cleared). */
  clearPrediction() {
    this.prediction = null;
    this.#settle(() => {
      this.queued = null;
    });
    this.cleared++;
  }

  /**
   * Predicts the digit in focus (request: focus.js's {type, payload}); at most one request
   * in flight, a newer one replacing the one waiting.
   */
  predict(request, focus) {
    if (!this.info || !this.loaded || !request) return;
    if (this.inflight) {
      this.queued = {request, focus};
      return;
    }
    this.#settle(() => {
      this.inflight = true;
    });
    const {type, payload} = request;
    const generation = this.generation;
    const cleared = this.cleared;
    const client = this.client;
    const message = {...payload};
    const transfer = [];
    if (payload.activations && this.spare) {
      message.spare = this.spare;
      transfer.push(this.spare.buffer);
      this.spare = null;
    }
    if (payload.pixels) {
      // The drawing stays with the focus (to predict again); the worker gets a copy in a
      // buffer it hands back with its reply, instead of a structured clone per request.
      const px = this.pixels?.length === payload.pixels.length ? this.pixels : new Float32Array(payload.pixels.length);
      this.pixels = null;
      px.set(payload.pixels);
      message.pixels = px;
      transfer.push(px.buffer);
    }
    client
      .request(type, message, transfer)
      .then((r) => {
        if (r.pixels) this.pixels = r.pixels;
        if (this.cleared !== cleared) return; // cleared meanwhile
        const old = this.prediction;
        // PREPARE (a moved drawing) names the image it read `image`.
        const input = r.input ?? r.image;
        this.prediction = {probs: r.probs, input, activations: r.activations ?? null, generation, focus};
        this.emit('prediction', {slot: this.name, ...this.prediction});
        // The listeners have moved on to the new activations: the old ones' buffer goes
        // back to the worker with the next prediction (see spare).
        if (old?.activations) this.spare = old.activations[0];
      })
      .catch((e) => {
        // A worker that died says so by its crash (and the restart predicts again).
        if (this.client === client) this.emit('prediction-failed', {slot: this.name, message: e.message});
      })
      .finally(() => {
        if (this.client !== client) return;
        // Busy until the newest request is answered: the waiting one goes out at once.
        this.#settle(() => {
          const q = this.queued;
          this.inflight = false;
          this.queued = null;
          if (q) this.predict(q.request, q.focus);
        });
      });
  }

  /** Runs change() on the queue's state and says 'predicting' when `busy` changed. */
  #settle(change) {
    const was = this.busy;
    change();
    if (this.busy !== was) this.emit('predicting', {slot: this.name, busy: this.busy});
  }
}
