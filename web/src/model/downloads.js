// The MNIST downloads as the page follows them: each model worker fetches the gzipped
// IDX files it needs (the second from the HTTP cache), and the page follows the bytes
// as they come.
//
// Events: data {split, state: 'none' | 'loading' | 'ready' | 'error', loaded, total, message}
import {Request} from '../protocol.js';
import {Emitter} from './emitter.js';

const FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
};
const SPLIT_BYTES = {train: 9_640_886, test: 1_602_446}; // gzipped, for progress before headers arrive

export class Downloads extends Emitter {
  /** @param {string} root the site folder (data/ is in it) */
  constructor(root) {
    super();
    this.urls = Object.fromEntries(Object.entries(FILES).map(([k, f]) => [k, new URL(`data/${f}`, root).href]));
    this.state = {
      train: {state: 'none', loaded: 0, total: SPLIT_BYTES.train, files: {}},
      test: {state: 'none', loaded: 0, total: SPLIT_BYTES.test, files: {}},
    };
  }

  /** Makes sure these slots' workers hold the splits, one worker after another (the second reads the HTTP cache). */
  async ensure(slots, splits) {
    for (const slot of slots) await this.#load(slot, splits);
  }

  #load(slot, splits) {
    const jobs = splits.map((split) => {
      if (!slot.data[split]) {
        if (this.state[split].state !== 'ready') this.#update(split, {state: 'loading', message: ''});
        slot.data[split] = slot.client
          .request(Request.LOAD_DATA, {urls: this.urls, splits: [split]})
          .then(() => this.#update(split, {state: 'ready', loaded: this.state[split].total}))
          .catch((e) => {
            slot.data[split] = null;
            this.#update(split, {state: 'error', message: e.message});
            throw e;
          });
      }
      return slot.data[split];
    });
    return Promise.all(jobs);
  }

  #update(split, patch) {
    Object.assign(this.state[split], patch);
    this.emit('data', {split, ...this.state[split]});
  }

  /** A worker's Notice.DATA_PROGRESS: {file, loaded, total}. */
  onProgress(msg) {
    const split = msg.file.startsWith('train') ? 'train' : 'test';
    const st = this.state[split];
    if (st.state !== 'loading') return;
    st.files[msg.file] = msg;
    const files = Object.values(st.files);
    st.loaded = files.reduce((s, f) => s + f.loaded, 0);
    if (files.length === 2 && files.every((f) => f.total)) st.total = files.reduce((s, f) => s + f.total, 0);
    this.emit('data', {split, ...st});
  }

  /** Bytes downloaded so far for these splits: {loaded, total, done}. */
  progress(splits = ['train', 'test']) {
    let loaded = 0;
    let total = 0;
    for (const split of splits) {
      const d = this.state[split];
      total += d.total;
      loaded += d.state === 'ready' ? d.total : d.state === 'loading' ? d.loaded : 0;
    }
    return {loaded, total, done: splits.every((split) => this.state[split].state === 'ready')};
  }
}
