// Reads what the page keeps in IndexedDB (web/src/model/persistence.js) from inside the page.

/**
 * The stored record of a slot as {metrics, title, bytes (length), sha256 (hex)}, or null when
 * nothing is stored. Runs in the page, so it sees exactly what a reload would offer back.
 */
export function storedWeights(page, slot) {
  return page.evaluate(
    (name) =>
      new Promise((resolve) => {
        const req = indexedDB.open('mnist-lab', 1);
        req.onerror = () => resolve(null);
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains('weights')) {
            resolve(null);
            return;
          }
          const get = db.transaction('weights').objectStore('weights').get(name);
          get.onerror = () => resolve(null);
          get.onsuccess = async () => {
            const r = get.result;
            if (!r) {
              resolve(null);
              return;
            }
            resolve({metrics: r.metrics, title: r.title, bytes: r.bytes.length, sha256: await sha256(r.bytes)});
          };
        };
        async function sha256(bytes) {
          const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
          return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
        }
      }),
    slot,
  );
}

/** Waits until `accept(record or null)` holds for the slot's stored record (default: one is stored); returns it. */
export async function waitForStored(page, slot, accept = (r) => r !== null, timeout = 30000) {
  const until = Date.now() + timeout;
  for (;;) {
    const r = await storedWeights(page, slot);
    if (accept(r)) return r;
    if (Date.now() > until)
      throw new Error(`no stored ${slot} weights matching ${accept} within ${timeout} ms (last: ${JSON.stringify(r)})`);
    await page.waitForTimeout(250); // polling IndexedDB: no event tells another context it changed
  }
}

/** Deletes every record the page keeps in IndexedDB (a clean start for a test sharing the browser). */
export function clearStored(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open('mnist-lab', 1);
        req.onupgradeneeded = () => req.result.createObjectStore('weights');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const tx = req.result.transaction('weights', 'readwrite');
          tx.objectStore('weights').clear();
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

/** Stores `record` ({bytes: number[], ...}) under `key` as the page would, e.g. to plant a record of an older shape. */
export function putStored(page, key, record) {
  return page.evaluate(
    ([k, r]) =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open('mnist-lab', 1);
        req.onupgradeneeded = () => req.result.createObjectStore('weights');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const tx = req.result.transaction('weights', 'readwrite');
          tx.objectStore('weights').put({...r, bytes: new Uint8Array(r.bytes)}, k);
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
      }),
    [key, record],
  );
}
