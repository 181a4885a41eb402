// Fine-tuning both models on the user's digits ("my digits"), each in its own worker
// (Request.FINETUNE: the core mixes them with MNIST training digits so the models keep
// reading MNIST), and single recorded SGD steps on one digit (Request.STEP_TRACE). Both
// leave the worker's model changed: the slot gets it as a new model (origin 'finetuned'; a
// step on the user's digit tunes it too), so the pad predicts with it and every cache of the
// old weights is dropped. Going back is the slot's shipped weights (Lab.backToPretrained).
//
// Per slot, the fine-tune it had last: this.runs[slot] =
//   {state: 'preparing' (downloading MNIST) | 'running' | 'done' | 'failed', digits (how many),
//    progress: FineTuneProgress | null, steps, elapsed (s), evaluation: Evaluation (full MNIST
//    test set) | null, before (the test accuracy of the model it started from, when known),
//    generation (the slot's model it made), message (why it failed)}
// A run is current while its slot still holds the model it made (current()).
//
// Events:
//   finetune {slot}             a fine-tune started, ended or failed
//   finetune-progress {slot}    ~10/s while one runs (runs[slot].progress)
import {Notice, Request} from '../protocol.js';
import {Emitter} from './emitter.js';
import {LabError} from './errors.js';
import {SLOTS} from './slot.js';

export class FineTuning extends Emitter {
  /**
   * @param {{slots: Record<string, import('./slot.js').Slot>,
   *   ensureData: (slots: import('./slot.js').Slot[], splits: string[]) => Promise<unknown>,
   *   urls: import('../protocol.js').DataUrls}} options
   */
  constructor({slots, ensureData, urls}) {
    super();
    this.slots = slots;
    this.ensureData = ensureData;
    this.urls = urls;
    this.runs = {};
    for (const slot of Object.values(slots)) {
      slot.listen(Notice.FINETUNE_PROGRESS, (p) => {
        const run = this.runs[slot.name];
        if (run?.state !== 'running') return;
        run.progress = p;
        this.emit('finetune-progress', {slot: slot.name});
      });
    }
  }

  /** True while either slot fine-tunes (or downloads for it). */
  get busy() {
    return Object.values(this.runs).some((r) => r.state === 'preparing' || r.state === 'running');
  }

  /** The slot's last fine-tune while its model is still the one it made, else null. */
  current(name) {
    const run = this.runs[name];
    return run?.state === 'done' && run.generation === this.slots[name].generation ? run : null;
  }

  /**
   * Fine-tunes both models on these digits (images Uint8Array(n*784), labels (n)), each in its
   * worker, after MNIST is downloaded. Resolves once both are done; a slot that fails is told
   * by its run ('failed', message) and the other still finishes. Throws a LabError when there
   * is nothing to learn from or a slot is busy.
   */
  async run(images, labels) {
    if (!labels.length) throw new LabError('no-digits');
    if (this.busy) throw new LabError('finetune-busy');
    const slots = SLOTS.map((n) => this.slots[n]).filter((s) => s.info && !s.error);
    const training = slots.find((s) => s.training);
    if (training) throw new LabError('training', {slot: training.name, action: 'finetune'});
    for (const s of slots) {
      const before = s.evaluation?.generation === s.generation ? s.evaluation.accuracy : null;
      this.#set(s, {state: 'preparing', digits: labels.length, progress: null, evaluation: null, before});
    }
    try {
      await this.ensureData(slots, ['train', 'test']);
    } catch (e) {
      for (const s of slots) this.#set(s, {...this.runs[s.name], state: 'failed', message: e.message});
      throw e;
    }
    // Both are running before either worker is asked, so the first is told to share the cores
    // (Lab: model/training.js shareCores) before its first batch.
    for (const s of slots) this.#set(s, {...this.runs[s.name], state: 'running'});
    await Promise.all(slots.map((s) => this.#fineTune(s, images, labels)));
  }

  async #fineTune(slot, images, labels) {
    const run = this.runs[slot.name];
    try {
      const client = slot.client;
      const reply = await client.request(Request.FINETUNE, {
        images: images.slice(),
        labels: labels.slice(),
        urls: this.urls,
      });
      slot.setModel(slot.info, 'finetuned', slot.title);
      slot.evaluation = {generation: slot.generation, ...reply.evaluation};
      Object.assign(run, {
        state: 'done',
        steps: reply.steps,
        elapsed: reply.elapsed,
        evaluation: reply.evaluation,
        generation: slot.generation,
      });
      this.#set(slot, run);
      // A worker that crashes from now on restarts with these weights, not the shipped ones.
      const generation = slot.generation;
      const bytes = await slot.exportWeights().catch(() => null);
      if (bytes && slot.generation === generation && slot.client === client) slot.keep(bytes, 'finetuned', slot.title);
    } catch (e) {
      this.#set(slot, {...run, state: 'failed', message: e.message});
    }
  }

  #set(slot, run) {
    this.runs[slot.name] = run;
    this.emit('finetune', {slot: slot.name});
  }

  /**
   * One plain SGD step of the slot's model on one digit (image Float32Array(784) in [0, 1], its
   * label, the learning rate), recorded layer by layer -> Reply.STEP_TRACE {loss, probs, layers}.
   * The model keeps the step: the slot gets it as a new model (origin 'finetuned').
   */
  async step(name, image, label, lr) {
    const slot = this.slots[name];
    if (slot.training) throw new LabError('training', {slot: name, action: 'step'});
    const reply = await slot.client.request(Request.STEP_TRACE, {image, label, lr});
    slot.setModel(slot.info, 'finetuned', slot.title);
    return reply;
  }
}
