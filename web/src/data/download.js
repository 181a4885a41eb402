// Downloads one gzipped MNIST file for a model worker: fetch, count the bytes as
// they arrive (for the page's progress bar), inflate with DecompressionStream and
// hand each inflated piece on as it comes (the worker writes it straight into the
// engine, so the file is never gathered in one buffer first). A download that
// sends nothing for STALL_MS is abandoned. Errors are sentences the page shows as
// they are.

const STALL_MS = 30000;
const PROGRESS_MS = 100; // at most one progress report per this many ms

/**
 * @typedef {object} DownloadProgress  one file's bytes so far (gzipped; total 0 while unknown)
 * @property {string} file
 * @property {number} loaded
 * @property {number} total
 */

/**
 * Fetches `url` and inflates it, giving each inflated piece to `write` in order; reports progress
 * through onProgress (the last report has loaded === total). Throws an Error with a readable
 * message: write's own error as it is (the download is then cancelled).
 * @param {string} url
 * @param {string} file the name to report and to name in errors
 * @param {(p: DownloadProgress) => void} onProgress
 * @param {(bytes: Uint8Array) => void} write
 * @returns {Promise<void>}
 */
export async function download(url, file, onProgress, write) {
  const abort = new AbortController();
  let timer = setTimeout(() => abort.abort(), STALL_MS);
  const poke = () => {
    clearTimeout(timer);
    timer = setTimeout(() => abort.abort(), STALL_MS);
  };
  const what = `the MNIST file ${file}`;
  try {
    let res;
    try {
      res = await fetch(url, {signal: abort.signal});
    } catch (_e) {
      throw new Error(
        `Could not download ${what}: ${abort.signal.aborted ? 'the download stalled' : 'the network request failed'}.`,
      );
    }
    if (!res.ok) throw new Error(`Could not download ${what}: the server answered ${res.status} ${res.statusText}.`);
    const total = Number(res.headers.get('content-length')) || 0;
    let loaded = 0;
    let last = 0;
    const counter = new TransformStream({
      transform(chunk, ctl) {
        loaded += chunk.byteLength;
        poke();
        const now = performance.now();
        if (now - last > PROGRESS_MS) {
          last = now;
          onProgress({file, loaded, total});
        }
        ctl.enqueue(chunk);
      },
    });
    const inflated = res.body.pipeThrough(counter).pipeThrough(new DecompressionStream('gzip')).getReader();
    for (;;) {
      let piece;
      try {
        piece = await inflated.read();
      } catch (e) {
        throw new Error(
          abort.signal.aborted
            ? `Could not download ${what}: the download stalled.`
            : `Could not read ${what}: the download broke off or the file is damaged (${e.message}).`,
        );
      }
      if (piece.done) break;
      try {
        write(piece.value);
      } catch (e) {
        inflated.cancel().catch(() => {});
        throw e;
      }
    }
    onProgress({file, loaded, total: loaded});
  } finally {
    clearTimeout(timer);
  }
}
