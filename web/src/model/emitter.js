// The one way the page's model talks back: each piece (a slot, the training runs, the
// downloads, ...) is an Emitter, and whoever composes them listens. Detail objects are
// plain data; what to say about them is the views' business.

export class Emitter extends EventTarget {
  /** Dispatches a CustomEvent `type` carrying `detail`. */
  emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, {detail}));
  }

  /** Calls fn(detail) for each `type` event; returns the function that stops listening. */
  on(type, fn) {
    const listener = (e) => fn(e.detail);
    this.addEventListener(type, listener);
    return () => this.removeEventListener(type, listener);
  }
}
