// Helpers for the interleaved A/B pages (threads-ab): one request to a worker
// -> its reply (rejects on {error}), and the median of some windows.

/** Posts `message` to `worker` -> its next reply. */
export function ask(worker, message) {
  return new Promise((resolve, reject) => {
    worker.onmessage = ({data}) => (data?.error ? reject(new Error(data.error)) : resolve(data));
    worker.onerror = (e) => reject(new Error(e.message || 'worker failed'));
    worker.postMessage(message);
  });
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
