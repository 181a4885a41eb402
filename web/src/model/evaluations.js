// Evaluations and the results table: each slot's accuracy on the 10,000 test digits
// (slot.evaluation) and on 10,000 training digits (slot.trainEvaluation, for the
// generalisation gap), and one row per evaluated model, kept across models.
//
// Events:
//   evaluation {slot}   slot.evaluation or slot.trainEvaluation changed
//   records {}          the results table (records) changed
import {Request} from '../protocol.js';
import {Emitter} from './emitter.js';

const GAP_DIGITS = 10000;

export class Evaluations extends Emitter {
  /** @param {(slots: import('./slot.js').Slot[], splits: string[]) => Promise<unknown>} ensureData */
  constructor(ensureData) {
    super();
    this.ensureData = ensureData;
    /** The results table: one row per evaluated model, oldest first. */
    this.records = [];
  }

  /** Scores these slots on the test set. */
  async evaluate(slots) {
    await this.ensureData(slots, ['test']);
    await Promise.all(slots.map((slot) => this.#run(slot, {split: 'test'}, 'evaluation')));
  }

  /** Accuracy on 10k training digits, for the generalisation gap (downloads the training set). */
  async measureGap(slots) {
    await this.ensureData(slots, ['train', 'test']);
    await Promise.all(slots.map((slot) => this.#run(slot, {split: 'train', limit: GAP_DIGITS}, 'trainEvaluation')));
  }

  async #run(slot, request, field) {
    const generation = slot.generation;
    const ev = await slot.client.request(Request.EVALUATE, request);
    if (slot.generation !== generation) return; // another model came in meanwhile
    slot[field] = {generation, ...ev};
    this.emit('evaluation', {slot: slot.name});
    this.record(slot);
  }

  /** Puts the slot's current model in the table (or updates its row). */
  record(slot) {
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
}
