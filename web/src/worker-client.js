// The page's end of one model worker: request() sends a message from
// protocol.js and resolves with its reply (rejects with the worker's error, or
// when the reply is not the one protocol.js names for that request);
// notices (progress, epoch, trainDone, dataProgress) are dispatched as DOM events
// named after their type, with the message as `detail`. A worker that ends after
// it started (a crash, or closing without a word) rejects what is pending and
// fires 'crash'.
import {REPLY_TO, Reply, Request, checkReply} from './protocol.js';
import workerUrl from './worker.js?worker&url';

/**
 * A module worker from this script's folder. A page on another origin (a blog
 * embedding embed.js from a CDN) may not start a worker from a foreign URL, but
 * it may start a same-origin blob: worker that imports it (the host then has to
 * allow CORS, as it already must for the module script itself).
 */
function spawn(name) {
  try {
    return new Worker(new URL('./worker.js', import.meta.url), {type: 'module', name});
  } catch (e) {
    if (e.name !== 'SecurityError') throw e;
    const url = new URL(workerUrl, import.meta.url).href;
    const blob = new Blob([`import ${JSON.stringify(url)};`], {type: 'text/javascript'});
    return new Worker(URL.createObjectURL(blob), {type: 'module', name});
  }
}

export class WorkerClient extends EventTarget {
  /**
   * @param {string} name shows in the browser's devtools
   * @param {{module?: Promise<WebAssembly.Module>, threaded?: {url: string, wasm: string, threads: number},
   *   wasmUrls?: {fma: string, plain: string}}} core which core the worker runs (see Request.INIT): `module`,
   *   the single-thread core compiled once for all workers; or `threaded`, the pthreads build, with the
   *   single-thread builds' URLs to fall back to
   */
  constructor(name, core) {
    super();
    const {module, threaded, wasmUrls} = core;
    this.name = name;
    this.nextId = 1;
    this.pending = new Map();
    /** @type {import('./protocol.js').Preset[] | null} */
    this.presets = null;
    /** @type {import('./protocol.js').TrainConfig | null} the engine's default settings, once ready */
    this.defaults = null;
    /** @type {number | null} the largest weights file the engine reads (bytes), once ready */
    this.maxWeightsBytes = null;
    /** @type {import('./protocol.js').EngineInfo | null} once ready */
    this.engine = null;
    this.ready = new Promise((resolve, reject) => {
      this.readyResolve = resolve;
      this.readyReject = reject;
    });
    this.ready.catch(() => {}); // observed by whoever awaits it
    // The Web Lock the worker holds while it lives (see Request.INIT); unique to this worker.
    this.lifeline = globalThis.navigator?.locks
      ? `mnist-lab worker ${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
      : null;
    this.worker = spawn(name);
    this.worker.onmessage = (e) => this.receive(e.data);
    const lifeline = this.lifeline;
    if (threaded) this.worker.postMessage({type: Request.INIT, threaded, wasmUrls, lifeline});
    else
      module.then(
        (m) => this.worker.postMessage({type: Request.INIT, module: m, lifeline}),
        (e) => this.fail(e.message),
      );
    this.worker.onerror = (e) => {
      e.preventDefault?.();
      if (this.started) this.crash(e.message || 'an uncaught error');
      else this.fail(`The ${name} worker could not start${e.message ? `: ${e.message}` : ''}.`);
    };
  }

  /** The worker broke after it started: reject what is pending, end it, and tell the owner ('crash' event). */
  crash(message) {
    if (this.dead) return;
    this.fail(`the engine stopped (${message})`);
    this.worker.terminate();
    this.dispatchEvent(new CustomEvent('crash', {detail: {message}}));
  }

  /**
   * Waits for the worker's lifeline lock, which the browser grants once the worker has ended: a
   * worker that closed itself without a word is noticed at once, and no deadline can mistake a
   * slow, busy worker for a dead one.
   */
  watch() {
    if (!this.lifeline) return;
    navigator.locks.request(this.lifeline, () => this.crash('its worker closed without a word')).catch(() => {});
  }

  fail(message) {
    this.dead = message;
    this.readyReject(new Error(message));
    for (const {reject} of this.pending.values()) reject(new Error(message));
    this.pending.clear();
  }

  receive(msg) {
    if (msg.type === Reply.READY) {
      this.started = true;
      this.presets = msg.presets;
      this.defaults = msg.defaults;
      this.maxWeightsBytes = msg.maxWeightsBytes;
      this.engine = msg.engine || {threaded: false, threads: 1};
      if (msg.lifeline) this.watch();
      this.readyResolve(msg.presets);
      return;
    }
    if (msg.type === Reply.FATAL) {
      this.fail(msg.message);
      return;
    }
    if (msg.type === Reply.CRASHED) {
      this.crash(msg.message);
      return;
    }
    if (msg.type === Reply.ERROR && /memory access out of bounds|RuntimeError|Aborted\(/.test(msg.message || '')) {
      this.crash(msg.message);
      return;
    }
    if (msg.id !== undefined && this.pending.has(msg.id)) {
      const {resolve, reject, type} = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      try {
        resolve(checkReply(type, msg));
      } catch (e) {
        reject(e);
      }
      return;
    }
    this.dispatchEvent(new CustomEvent(msg.type, {detail: msg}));
  }

  /**
   * Sends {type, ...payload}; resolves with the reply message (protocol.js: Requests, Replies).
   * @template {keyof import('./protocol.js').Replies} T
   * @param {T} type
   * @param {import('./protocol.js').Requests[T]} [payload]
   * @param {Transferable[]} [transfer]
   * @returns {Promise<import('./protocol.js').Replies[T] & {type: string, id: number}>}
   */
  request(type, payload = /** @type {any} */ ({}), transfer = []) {
    if (this.dead) return Promise.reject(new Error(this.dead));
    if (!REPLY_TO[type]) return Promise.reject(new Error(`'${type}' is not a request that gets a reply`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {resolve, reject, type});
      this.worker.postMessage({type, id, ...payload}, transfer);
    });
  }

  on(type, fn) {
    const listener = (e) => fn(e.detail);
    this.addEventListener(type, listener);
    return () => this.removeEventListener(type, listener);
  }
}
