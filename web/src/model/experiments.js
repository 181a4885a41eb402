// Experiments on the digit in focus, for both models side by side: how the pad's drawing is
// moved before the models read it (shift, rotation, thickness, MNIST centring), and the
// core's sweeps, saliency maps and adversarial nudges. No DOM and no words: the Draw view's
// panels (views/draw/) show what these return.
//
// Events: move {move}  the drawing is moved differently (the Lab has both models read it again)
import {Request} from '../protocol.js';
import {Emitter} from './emitter.js';

/** @typedef {import('../protocol.js').Transform & {centre: boolean}} Move */

/** The drawing as the pad always sent it: MNIST centring on, not moved. */
export const UNMOVED = Object.freeze({centre: true, dx: 0, dy: 0, angle: 0, thickness: 0});

/** Each number of a Move: [lowest, highest] (dx, dy: pixels of the 28x28 image; angle: degrees). */
export const MOVE_RANGES = Object.freeze({dx: [-8, 8], dy: [-8, 8], angle: [-45, 45], thickness: [-2, 2]});

/** The values a sweep along each axis tries: every pixel of shift, every 5 degrees. */
export const SWEEP_VALUES = Object.freeze({
  x: Array.from({length: 17}, (_, i) => i - 8),
  y: Array.from({length: 17}, (_, i) => i - 8),
  angle: Array.from({length: 19}, (_, i) => i * 5 - 45),
});

/** The bounds "Fool it" nudges within (Request.FOOL): the largest change of one pixel, the step, the steps. */
export const FOOL_SETTINGS = Object.freeze({epsilon: 0.3, step: 0.02, maxSteps: 100});

const argmax = (a) => a.reduce((best, v, i) => (v > a[best] ? i : best), 0);

export class Experiments extends Emitter {
  constructor() {
    super();
    /** @type {Move} */
    this.move = {...UNMOVED};
  }

  /** True when the drawing is read other than the pad always read it. */
  get moved() {
    return Object.keys(UNMOVED).some((k) => this.move[k] !== UNMOVED[k]);
  }

  /**
   * Changes some of the Move's values (each number clamped to MOVE_RANGES; a value that is not a
   * finite number is refused with an error and changes nothing). Returns whether anything changed.
   * @param {Partial<Move>} change
   */
  setMove(change) {
    const next = {...this.move};
    for (const [key, value] of Object.entries(change)) {
      if (key === 'centre') next.centre = !!value;
      else if (key in MOVE_RANGES) {
        const v = Number(value);
        if (typeof value !== 'number' || !Number.isFinite(v))
          throw new Error(`${key} must be a number, not ${String(value)}`);
        const [lo, hi] = MOVE_RANGES[key];
        next[key] = Math.min(hi, Math.max(lo, key === 'thickness' ? Math.round(v) : v));
      } else throw new Error(`a digit moves by ${Object.keys(UNMOVED).join(', ')}, not "${key}"`);
    }
    if (Object.keys(UNMOVED).every((k) => next[k] === this.move[k])) return false;
    this.move = next;
    this.emit('move', {move: {...next}});
    return true;
  }

  /**
   * A drawing ({pixels, width, height}) as the model reads it after `move` (some of a Move's values;
   * the rest unmoved, centred as now) -> Reply.PREPARED {image: Float32Array(784), probs}.
   */
  prepare(slot, drawing, move) {
    const {pixels, width, height} = drawing;
    return slot.client.request(Request.PREPARE, {pixels, width, height, ...UNMOVED, centre: this.move.centre, ...move});
  }

  /** The model's probabilities along one axis -> {axis, values, probs (values.length x 10), answer (its answer at 0)}. */
  async sweep(slot, image, axis, values = SWEEP_VALUES[axis]) {
    const reply = await slot.client.request(Request.SWEEP, {image, axis, values});
    const zero = reply.values.indexOf(0);
    const answer = argmax(reply.probs.subarray(zero * 10, zero * 10 + 10));
    return {axis, values: reply.values, probs: reply.probs, answer};
  }

  /** Where the model's answer on the image comes from -> {cls (its answer), gradient, occlusion, probs}. */
  async saliency(slot, image) {
    const {probs} = await slot.client.request(Request.PREDICT_IMAGE, {image});
    return slot.client.request(Request.SALIENCY, {image, cls: argmax(probs)});
  }

  /** Nudges the image until the model says `target` (Request.FOOL) -> the reply, with the original image. */
  async fool(slot, image, target, settings = FOOL_SETTINGS) {
    const reply = await slot.client.request(Request.FOOL, {image, target, ...settings});
    return {...reply, target, original: image};
  }

  /** The model's probabilities for a 28x28 image (0..1). */
  async predictImage(slot, image) {
    return (await slot.client.request(Request.PREDICT_IMAGE, {image})).probs;
  }
}
