// Reaches a model worker (web/src/worker.js) from a test, through its test hooks
// (the Request.TEST_* messages in web/src/protocol.js).

/**
 * The slot's model worker ('mlp' | 'cnn'); after a restart, the newest one. The pthreads build's
 * thread workers (wasm-mt/mnist_lab.worker.js) are never asked: one asleep in Atomics.wait (a
 * parked thread) would not answer.
 */
export async function modelWorker(page, slot) {
  let found = null;
  for (const w of page.workers().filter((x) => !x.url().endsWith('/mnist_lab.worker.js'))) {
    if ((await w.evaluate(() => self.name).catch(() => '')) === `mnist-lab ${slot}`) found = w;
  }
  if (!found) throw new Error(`no ${slot} worker on the page`);
  return found;
}

/** Hands the worker a message as if the page had sent it; resolves once its handler is done. */
export const sendToWorker = (worker, message) => worker.evaluate((m) => self.onmessage({data: m}), message);

/**
 * Makes training in this worker hold once a run has done `steps` batches (this run or the
 * next); resolves when a run holds there. Pause, resume and stop still answer meanwhile.
 */
export const holdTraining = (worker, steps) => sendToWorker(worker, {type: '__testHold', id: -1, steps});

/** Lets a held run go on (a run paused meanwhile stays paused). */
export const releaseTraining = (worker) => sendToWorker(worker, {type: '__testRelease', id: -2});

/**
 * From now on the worker sees each training request with `config` merged into its settings,
 * as if the page had sent them: a start the form itself would never send (its checks mirror
 * the engine's), to prove what a refused start leaves behind.
 */
export const patchTrainRequests = (worker, config) =>
  worker.evaluate((patch) => {
    const handle = self.onmessage;
    self.onmessage = (e) =>
      handle(e.data.type === 'train' ? {data: {...e.data, config: {...e.data.config, ...patch}}} : e);
  }, config);
