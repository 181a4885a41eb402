// Keeps the latest trained weights of each slot in IndexedDB, so a closed tab or a
// crashed worker never loses a training run. Every function resolves (never rejects):
// without IndexedDB (private mode, blocked storage, an old browser) nothing is stored.

const DB = 'mnist-lab';
const STORE = 'weights';

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

async function run(mode, fn) {
  const db = await open();
  if (!db) return null;
  return new Promise((resolve) => {
    try {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result ?? null);
      tx.onerror = () => resolve(null);
      tx.onabort = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
}

/**
 * record: {bytes: Uint8Array (the weights file), spec, title, metrics: {testAccuracy, epoch, epochs}, time (ms)}
 */
export const saveWeights = (slot, record) => run('readwrite', (s) => s.put(record, slot));
/** The stored record of a slot, or null. */
export const loadWeights = (slot) => run('readonly', (s) => s.get(slot));
export const forgetWeights = (slot) => run('readwrite', (s) => s.delete(slot));
