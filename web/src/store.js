// Keeps trained weights in IndexedDB, so a closed tab or a crashed worker never loses
// a training run. Two records per slot, so a new run never overwrites the last model
// that came out of a run:
//   "<slot>"      the weights a run ended with (finished, stopped or diverged)
//   "<slot>:run"  the latest copy of the run in progress, taken every few seconds
// Records stored before the two were kept apart sit under "<slot>" with
// metrics.partial set; they read as the copies of a run in progress they were.
//
// A record: {bytes: Uint8Array (the weights file), spec, title, time (ms),
//   metrics: {testAccuracy, epoch, epochs, partial, step, totalSteps, ended}}
// metrics.ended: how the run ended ('finished' | 'stopped' | 'diverged' | 'error');
// missing in mid-run copies and in records from before it was kept.
//
// Nothing here rejects: reads resolve null when nothing can be read; a write resolves
// null once stored, or the reason it was not (a sentence fragment the page can show).

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
  if (!db) return {ok: false, reason: 'this browser keeps no storage for the page'};
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
  if (e?.name === 'QuotaExceededError') return "the browser's storage for this page is full";
  return e?.message ? `the browser refused (${e.message})` : 'the browser refused';
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
