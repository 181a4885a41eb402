// The digit in focus, which every model predicts: a drawing (ink at any resolution; the
// core crops and rescales it), a test digit, or none; and whether any view on screen
// draws activations (they then come with every prediction).
//
// Events: focus {focus}  the digit in focus changed (focus: {source: 'none' | 'drawing' | 'test',
//   example (a drawing: the built-in digit), index and label (a test digit)})
import {Request} from '../protocol.js';
import {Emitter} from './emitter.js';

export class Focus extends Emitter {
  constructor() {
    super();
    this.focus = {source: 'none'};
    this.drawing = null; // {pixels, width, height}
    this.move = null; // how a drawing is moved before the models read it (model/experiments.js Move), or null
    this.activationViews = new Set();
  }

  #set(focus) {
    this.focus = focus;
    this.emit('focus', {focus});
  }

  /** A new drawing: ink (height*width, 0..1). example: the built-in digit. */
  setDrawing(pixels, width, height, example) {
    this.drawing = {pixels, width, height};
    if (this.focus.source !== 'drawing' || this.focus.example !== example) this.#set({source: 'drawing', example});
  }

  clear() {
    this.drawing = null;
    this.#set({source: 'none'});
  }

  showTest(index, label) {
    this.drawing = null;
    this.#set({source: 'test', index, label});
  }

  /** A view that draws activations is on screen (on) or not; true when the first one came. */
  wantActivations(view, on) {
    const before = this.activationViews.size;
    if (on) this.activationViews.add(view);
    else this.activationViews.delete(view);
    return !before && this.activationViews.size > 0;
  }

  /** The request that predicts the digit in focus ({type, payload}), or null when there is none. */
  request() {
    const activations = this.activationViews.size > 0;
    if (this.focus.source === 'drawing' && this.drawing) {
      const {pixels, width, height} = this.drawing;
      // A moved drawing is read through the core's PREPARE, with the activations of the moved digit.
      if (this.move) return {type: Request.PREPARE, payload: {pixels, width, height, ...this.move, activations}};
      return {type: Request.PREDICT_DRAWING, payload: {pixels, width, height, activations}};
    }
    if (this.focus.source === 'test') {
      return {type: Request.PREDICT_TEST, payload: {index: this.focus.index, activations}};
    }
    return null;
  }
}
