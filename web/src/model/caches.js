// What the page asks the workers for again and again, asked once: the test labels, test
// digits' pixels, and each model's parameters (per model; refreshed every few seconds
// while it trains). The test set comes from the MLP's worker.
import {Request} from '../protocol.js';

const PARAMS_WHILE_TRAINING_MS = 3000;

export class Caches {
  /**
   * @param {{slots: Record<string, import('./slot.js').Slot>, ensureTest: () => Promise<unknown>}} options
   *   ensureTest: makes sure the MLP's worker holds the test set
   */
  constructor({slots, ensureTest}) {
    this.slots = slots;
    this.ensureTest = ensureTest;
    this.labels = null; // Promise<Uint8Array>
    this.images = new Map(); // test index -> Uint8Array(784)
    this.params = new Map(); // slot name -> {generation, time, promise}
  }

  /** The 10,000 test labels. */
  testLabels() {
    if (!this.labels) {
      this.labels = this.ensureTest()
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
    const missing = indices.filter((i) => !this.images.has(i));
    if (missing.length) {
      await this.ensureTest();
      const r = await this.slots.mlp.client.request(Request.TEST_IMAGES, {indices: missing});
      missing.forEach((index, k) => this.images.set(index, r.pixels.subarray(k * 784, (k + 1) * 784)));
    }
    return new Map(indices.map((i) => [i, this.images.get(i)]));
  }

  /** All parameters of a slot's model: {params: Float32Array, info: ModelInfo}. */
  modelParams(slot) {
    const c = this.params.get(slot.name);
    const stale =
      !c ||
      c.generation !== slot.generation ||
      (slot.training && performance.now() - c.time > PARAMS_WHILE_TRAINING_MS);
    if (!stale) return c.promise;
    const entry = {
      generation: slot.generation,
      time: performance.now(),
      promise: slot.client.request(Request.PARAMS).then((r) => ({params: r.params, info: r.info})),
    };
    this.params.set(slot.name, entry);
    entry.promise.catch(() => {
      if (this.params.get(slot.name) === entry) this.params.delete(slot.name);
    });
    return entry.promise;
  }

  /** The slot's weights changed without a new model (a run ended) or its worker died: ask again. */
  forgetParams(slot) {
    this.params.delete(slot.name);
  }
}
