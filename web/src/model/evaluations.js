// Evaluations and the results table: each slot's accuracy on the 10,000 test digits
// (slot.evaluation) and on 10,000 training digits (slot.trainEvaluation, for the
// generalisation gap), and one row per evaluated model, kept across models.
//
// Until the page evaluates them itself, the pretrained models have the analysis the shipped
// results file holds (results/results.json, computed natively with the CLI when they were
// trained): the same fields, with `shipped: true` and no `predicted` (the file lists each
// network's mistakes, not every digit's answer).
//
// Events:
//   evaluation {slot}   slot.evaluation or slot.trainEvaluation changed
//   records {}          the results table (records) changed
import {Request} from '../protocol.js';
import {Emitter} from './emitter.js';

const GAP_DIGITS = 10000;

/** A JSON file, or an error that says what went wrong. */
async function fetchJson(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`the server answered ${res.status}`);
  return res.json();
}

export class Evaluations extends Emitter {
  /**
   * @param {(slots: import('./slot.js').Slot[], splits: string[]) => Promise<unknown>} ensureData
   * @param {string} resultsUrl the shipped results file
   */
  constructor(ensureData, resultsUrl) {
    super();
    this.ensureData = ensureData;
    this.resultsUrl = resultsUrl;
    this.shippedFile = null; // Promise of {date, mlp: {evaluation, trainEvaluation}, cnn} (null: none)
    this.resultsFile = null; // Promise of the results file as JSON, fetched once (null: not yet, or it failed)
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

  /**
   * Gives a slot holding its pretrained model the shipped file's analysis of it, unless it has an
   * evaluation already. A missing or unreadable file leaves it unevaluated.
   */
  async useShipped(slot) {
    if (slot.owner !== 'pretrained' || slot.evaluation) return;
    this.shippedFile ??= this.#readShipped().catch(() => null);
    const generation = slot.generation;
    const file = await this.shippedFile;
    const shipped = file?.[slot.name];
    if (!shipped || slot.generation !== generation || slot.evaluation) return;
    slot.evaluation = {generation, ...shipped.evaluation};
    slot.trainEvaluation = shipped.trainEvaluation ? {generation, ...shipped.trainEvaluation} : null;
    this.emit('evaluation', {slot: slot.name});
    this.record(slot);
  }

  /**
   * The shipped results file (results/results.json) as JSON, fetched once for the pretrained
   * models' analysis and the reproduced articles alike; a failed fetch is tried again next time.
   */
  results() {
    this.resultsFile ??= fetchJson(this.resultsUrl).catch((e) => {
      this.resultsFile = null;
      throw e;
    });
    return this.resultsFile;
  }

  /**
   * The time each reproduced system takes to reach its article's accuracy, natively and in the
   * page (results/time-to-accuracy.json beside the results file), fetched each time it is asked for.
   */
  timeToAccuracy() {
    return fetchJson(new URL('time-to-accuracy.json', this.resultsUrl));
  }

  /** The shipped results file's analysis of the mlp and cnn presets, as evaluations (fractions, not percentages). */
  async #readShipped() {
    const data = await this.results();
    const a = data.analysis;
    const out = {date: data.date};
    for (const name of ['mlp', 'cnn']) {
      const row = data.rows?.find((r) => r.id === name && !r.missing);
      if (!row || !a?.confusion?.[name]) continue;
      const common = {shipped: true, date: data.date};
      out[name] = {
        evaluation: {
          ...common,
          split: 'test',
          count: a.confusion[name].reduce((x, y) => x + y, 0),
          accuracy: row.test_accuracy / 100,
          loss: row.test_loss,
          confusion: a.confusion[name],
          per_class: a.per_class[name].map((x) => x / 100),
          misclassified: a.misclassified[name],
        },
        trainEvaluation: Number.isFinite(a.train_accuracy?.[name])
          ? {...common, split: 'train', accuracy: a.train_accuracy[name] / 100}
          : null,
      };
    }
    return out;
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
      shipped: !!slot.evaluation.shipped,
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
