// SIMD vs scalar on one model, measured fairly on a shared machine: both builds
// run in their own worker and take turns, window after window (A B B A A B ...),
// so load from elsewhere hits both alike. Reports every window and the ratio of
// the medians. ?model=cnn&batch=64&window=1.5&rounds=6&warm=4&builds=wasm,wasm-scalar
const params = new URLSearchParams(location.search);
const model = params.get('model') || 'cnn';
const batch = Number(params.get('batch') || 64);
const windowSeconds = Number(params.get('window') || 1.5);
const rounds = Number(params.get('rounds') || 6);
const warmSeconds = Number(params.get('warm') || 4);
// ?builds=A,B picks the two builds under build/ (default: SIMD vs scalar).
const builds = (params.get('builds') || 'wasm,wasm-scalar').split(',');

function ask(worker, message) {
  return new Promise((resolve, reject) => {
    worker.onmessage = ({data}) => (data?.error ? reject(new Error(data.error)) : resolve(data));
    worker.onerror = (e) => reject(new Error(e.message || 'worker failed'));
    worker.postMessage(message);
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const workers = builds.map(() => new Worker(new URL('./simd-ab-worker.js', import.meta.url), {type: 'module'}));
  try {
    for (let i = 0; i < builds.length; i++) await ask(workers[i], {init: {build: builds[i], model, batch}});
    // Warm-up: V8 tiers the hot functions up only after they have run a while.
    for (let i = 0; i < builds.length; i++) await ask(workers[i], {window: warmSeconds});
    const windows = builds.map(() => []);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 ? [1, 0] : [0, 1];
      for (const i of order) windows[i].push((await ask(workers[i], {window: windowSeconds})).samples_per_second);
    }
    const simd = median(windows[0]),
      scalar = median(windows[1]);
    return {
      model,
      batch,
      window_seconds: windowSeconds,
      rounds,
      userAgent: navigator.userAgent,
      simd_windows: windows[0],
      scalar_windows: windows[1],
      simd_median: simd,
      scalar_median: scalar,
      ratio: simd / scalar,
      ratio_best: Math.max(...windows[0]) / Math.max(...windows[1]),
    };
  } finally {
    workers.forEach((w) => w.terminate());
  }
}

main()
  .then(
    (r) => (window.benchResult = r),
    (e) => (window.benchResult = {error: String(e?.message || e)}),
  )
  .then(() => (document.getElementById('out').textContent = JSON.stringify(window.benchResult, null, 2)));
