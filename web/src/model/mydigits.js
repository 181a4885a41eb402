// The user's own digits ("my digits"): 28x28 images as the models see them, each with the
// label the user gave it, kept in IndexedDB so they outlive the tab, and written out as an
// IDX pair (the MNIST files' format) to keep or share. Reading an IDX pair back is the
// core's job (Request.READ_IDX): the Lab checks imported files there and hands the result in.
//
// A digit: {id (the store's key), label (0-9), image: Uint8Array(784) row by row, time (ms)}.
/** @typedef {{id: number, label: number, image: Uint8Array, time: number}} MyDigit */
//
// Its own database, apart from the weights' (persistence.js), so neither needs the other's
// version. When the browser keeps no storage, the digits live in the page until it closes
// (`stored` says which).
//
// Events: digits {digits, stored}  the list changed (added, removed, imported, or read at start)
import {Emitter} from './emitter.js';
import {LabError} from './errors.js';

const DB = 'mnist-lab-digits';
const STORE = 'digits';
const PIXELS = 784; // one 28x28 digit
/** The most digits kept: a few per digit teach a style; a whole dataset is not "my digits". */
export const MAX_DIGITS = 1000;

let dbPromise = null;
function open() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve) => {
      try {
        const req = indexedDB.open(DB, 1);
        req.onupgradeneeded = () => req.result.createObjectStore(STORE, {keyPath: 'id', autoIncrement: true});
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => resolve(null);
        req.onblocked = () => resolve(null);
      } catch {
        resolve(null); // no indexedDB at all (an opaque origin)
      }
    });
  }
  return dbPromise;
}

/**
 * Runs fn(store) in one transaction -> the result of the request it returns (of each, for an
 * array of requests), or null without a database; throws the browser's error.
 */
async function transact(mode, fn) {
  const db = await open();
  if (!db) return null;
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    let req = null;
    try {
      req = fn(tx.objectStore(STORE));
    } catch (e) {
      reject(e);
      return;
    }
    tx.oncomplete = () => resolve(Array.isArray(req) ? req.map((r) => r.result) : (req?.result ?? null));
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('the browser did not keep the digits'));
  });
}

/** One IDX ubyte file: the magic (0, 0, 8 = unsigned byte, rank), each dimension big-endian, the data. */
function idxFile(dims, data) {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint32(0, 0x800 + dims.length);
  dims.forEach((d, i) => header.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(header.byteLength + data.length);
  out.set(new Uint8Array(header.buffer), 0);
  out.set(data, header.byteLength);
  return out;
}

/** A digit as the store takes it, which gives it its key. */
const withoutId = ({label, image, time}) => ({label, image, time});

export class MyDigits extends Emitter {
  constructor() {
    super();
    /** @type {MyDigit[]} oldest first */
    this.digits = [];
    this.stored = true; // false: the browser keeps nothing, the digits last as long as the page
    this.nextId = -1; // keys of digits the store did not take (negative: never a store's key)
    this.loaded = this.#load();
  }

  async #load() {
    try {
      const all = await transact('readonly', (s) => s.getAll());
      if (all === null) this.stored = false;
      else this.digits = all.filter((d) => d.image?.length === PIXELS).concat(this.digits);
    } catch {
      this.stored = false;
    }
    this.#changed();
  }

  #changed() {
    this.emit('digits', {digits: this.digits, stored: this.stored});
  }

  get count() {
    return this.digits.length;
  }

  /** How many digits carry each label: number[10]. */
  counts() {
    const n = new Array(10).fill(0);
    for (const d of this.digits) n[d.label]++;
    return n;
  }

  /**
   * Keeps digits: images Uint8Array(n*784), labels (n) 0-9. Resolves once stored (or kept
   * in the page, when the browser keeps nothing). Throws the browser's error when it refuses
   * (the storage is full), or a LabError ('too-many-digits') past MAX_DIGITS; the list is then as it was.
   */
  async add(images, labels) {
    await this.loaded;
    if (this.digits.length + labels.length > MAX_DIGITS)
      throw new LabError('too-many-digits', {count: labels.length, kept: this.digits.length, max: MAX_DIGITS});
    const time = Date.now();
    /** @type {MyDigit[]} */
    const fresh = Array.from(labels, (label, i) => ({
      id: 0, // the store's key, below
      label,
      image: images.slice(i * PIXELS, (i + 1) * PIXELS),
      time,
    }));
    if (this.stored) {
      const ids = await transact('readwrite', (s) => fresh.map((d) => s.add(withoutId(d))));
      fresh.forEach((d, i) => {
        d.id = ids[i];
      });
    } else {
      for (const d of fresh) d.id = this.nextId--;
    }
    this.digits.push(...fresh);
    this.#changed();
    return fresh;
  }

  /** Forgets one digit. */
  async remove(id) {
    await this.loaded;
    if (this.stored && id >= 0) await transact('readwrite', (s) => s.delete(id));
    this.digits = this.digits.filter((d) => d.id !== id);
    this.#changed();
  }

  /** Every digit as training data: {images: Uint8Array(n*784), labels: Uint8Array(n)}. */
  data() {
    const images = new Uint8Array(this.digits.length * PIXELS);
    this.digits.forEach((d, i) => images.set(d.image, i * PIXELS));
    return {images, labels: Uint8Array.from(this.digits, (d) => d.label)};
  }

  /** The digits as an IDX pair, as MNIST ships: {images: idx3 (n, 28, 28), labels: idx1 (n)}. */
  idx() {
    const {images, labels} = this.data();
    return {images: idxFile([labels.length, 28, 28], images), labels: idxFile([labels.length], labels)};
  }
}
