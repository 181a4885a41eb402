// IndexedDB checkpoints: keeps trained weights, so a closed tab or a crashed worker never
// loses a training run. Two records per slot, so a new run never overwrites the last model
// that came out of a run:
//   "<slot>"      the weights a run ended with (finished, stopped or diverged)
//   "<slot>:run"  the latest copy of the run in progress, taken every few seconds
// Records stored before the two were kept apart sit under "<slot>" with
// metrics.partial set; they read as the copies of a run in progress they were.
//
// A record: {bytes: Uint8Array (the weights file), spec, title, time (ms),
//   metrics: {testAccuracy, epoch, epochs, partial, step, totalSteps, ended}}
// metrics.ended: how the run ended ('finished' | 'reached' | 'stopped' | 'diverged' | 'error');
// missing in mid-run copies and in records from before it was kept.
//
// Nothing in the store rejects: reads resolve null when nothing can be read; a write
// resolves null once stored, or why it was not: {code: 'unavailable' (no storage for the
// page), 'full' or 'refused', message (the browser's, with 'refused')}.
import {Emitter} from './emitter.js';
import {LabError} from './errors.js';

const DB = 'mnist-lab';
const STORE = 'weights';

/** The kinds of record a slot has, newest run first. */
export const KINDS = ['run', 'ended'];
const keyOf = (slot, kind) => (kind === 'run' ? `${slot}:run` : slot);

let dbPromise = null;
function open() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve) => {
      try {
        if (typeof indexedDB === 'undefined' || !indexedDB) {
          resolve(null);
          return;
        }
        const req = indexedDB.open(DB, 1);
        req.onupgradeneeded = () => req.result.createObjectStore(STORE);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => resolve(null);
        req.onblocked = () => resolve(null);
      } catch {
        resolve(null);
      }
    });
  }
  return dbPromise;
}

/** Runs fn(objectStore) in one transaction -> {ok: true, value} or {ok: false, reason}. */
async function run(mode, fn) {
  const db = await open();
  if (!db) return {ok: false, reason: {code: 'unavailable'}};
  return new Promise((resolve) => {
    const failed = (e) => resolve({ok: false, reason: reasonOf(e)});
    try {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve({ok: true, value: req.result ?? null});
      tx.onerror = () => failed(tx.error || req.error);
      tx.onabort = () => failed(tx.error || req.error);
    } catch (e) {
      failed(e);
    }
  });
}

function reasonOf(e) {
  if (e?.name === 'QuotaExceededError') return {code: 'full'};
  return {code: 'refused', message: e?.message || ''};
}

/** Stores a record as the slot's `kind` ('run' | 'ended') -> null once stored, else why not. */
export async function saveWeights(slot, kind, record) {
  const r = await run('readwrite', (s) => s.put(record, keyOf(slot, kind)));
  return r.ok ? null : r.reason;
}

/** The slot's stored record of that kind, or null. */
export async function loadWeights(slot, kind) {
  const r = await run('readonly', (s) => s.get(keyOf(slot, kind)));
  return r.ok && r.value?.bytes ? r.value : null;
}

/** Forgets the slot's record of that kind. */
export const forgetWeights = (slot, kind) => run('readwrite', (s) => s.delete(keyOf(slot, kind)));

/**
 * Stores each slot's weights as its runs go (training.js says when), and offers back what an
 * earlier visit stored.
 *
 * Events:
 *   restorable {slot, kind, record}  weights from an earlier visit are stored (kind: 'ended', a
 *                                    run's result, or 'run', a copy taken mid-run); never loaded unasked
 *   refused {slot, kind, reason}     the browser would not keep a copy (reason: as saveWeights says it);
 *                                    told once per run for 'run', always for 'ended'
 */
export class Checkpoints extends Emitter {
  constructor() {
    super();
    this.stored = {}; // slot name -> kind -> the record offered back
    this.saving = {}; // slot name -> the copies, one after another (a later one never lands first)
    this.refusedRuns = new WeakSet(); // runs whose copy the browser refused (told once)
  }

  /** Offers back what an earlier visit stored for the slot, while it still runs its shipped weights. */
  async offer(slot) {
    for (const kind of ['ended', 'run']) {
      const record = await loadWeights(slot.name, kind);
      if (!record || slot.origin !== 'shipped') continue;
      this.stored[slot.name] = {...this.stored[slot.name], [kind]: record};
      this.emit('restorable', {slot: slot.name, kind, record});
    }
  }

  /** Loads weights stored by an earlier visit into their slot -> its ModelInfo. */
  async restore(slot, kind = 'ended') {
    const record = this.stored[slot.name]?.[kind] || (await loadWeights(slot.name, kind));
    if (!record) throw new LabError('nothing-stored', {slot: slot.name});
    if (slot.training) throw new LabError('training', {slot: slot.name, action: 'restore'});
    const info = await slot.importWeights(record.bytes.slice());
    delete this.stored[slot.name];
    slot.keep(record.bytes, 'restored', record.title);
    slot.setModel(info, 'restored', record.title || slot.titleFor(info.spec));
    return info;
  }

  /** Forgets one of the stored records offered back. */
  dismiss(name, kind = 'ended') {
    if (this.stored[name]) delete this.stored[name][kind];
    return forgetWeights(name, kind);
  }

  /**
   * Stores the slot's current weights as its run's copy ('run': metrics.partial, with its step)
   * or its result ('ended', which then replaces the copy). A restarted worker loads the same
   * weights. A refusal is told ('refused'): the page still holds the weights, which the user
   * can download.
   */
  save(slot, kind, metrics = {}) {
    const generation = slot.generation;
    const client = slot.client;
    const run = slot.training || slot.lastRun;
    const before = this.saving[slot.name] || Promise.resolve();
    this.saving[slot.name] = before.then(async () => {
      let bytes;
      try {
        bytes = await slot.exportWeights();
      } catch {
        return; // no copy this time (the worker is gone): the previous one stays
      }
      if (slot.generation !== generation || slot.client !== client) return;
      const title = run?.title || slot.title;
      slot.keep(bytes, 'trained', title);
      const reason = await saveWeights(slot.name, kind, {
        bytes,
        spec: slot.info?.spec,
        title,
        metrics,
        time: Date.now(),
      });
      if (!reason) {
        if (kind === 'ended') await forgetWeights(slot.name, 'run');
        return;
      }
      if (kind === 'run' && run && this.refusedRuns.has(run)) return;
      if (run) this.refusedRuns.add(run);
      this.emit('refused', {slot: slot.name, kind, reason});
    });
    return this.saving[slot.name];
  }
}
