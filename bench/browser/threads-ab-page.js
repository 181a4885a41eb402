// The pthreads builds with N threads against the best single-thread build, on
// one model, in a cross-origin isolated page (served by scripts/serve.mjs
// --isolate). Five workers take turns window after window, the order reversed
// each round (A B C D E, E D C B A, ...), so load from elsewhere on a shared
// machine hits all alike: the single-thread build with fused multiply-adds
// (what a plain static host gets in a browser with relaxed SIMD), the
// pthreads build with fused multiply-adds at N threads (what npm start's page
// gets there) and at one thread (its own overhead); and the pair a browser
// without relaxed SIMD chooses between, plain SIMD single-thread and pthreads
// at N threads. Reports every window and the ratios of the medians, and
// beside them what the host gave: after each round, pure arithmetic on one
// Web Worker and then on N at once (spin-worker.js), as mnist-bench's
// host_speedup does natively. Near N, the cores were free; less, other load
// took one, which interleaving cannot even out (the single-thread build does
// not use the core it took).
// ?model=cnn&batch=64&threads=2&window=1.5&rounds=6&warm=4
import {ask, median} from './ab.js';

const params = new URLSearchParams(location.search);
const model = params.get('model') || 'cnn';
const batch = Number(params.get('batch') || 64);
const threads = Number(params.get('threads') || 2);
const windowSeconds = Number(params.get('window') || 1.5);
const rounds = Number(params.get('rounds') || 6);
const warmSeconds = Number(params.get('warm') || 4);
const configs = [
  {name: 'single', build: 'wasm-fma', threads: 1},
  {name: 'threaded', build: 'wasm-mt-fma', threads},
  {name: 'threaded_1', build: 'wasm-mt-fma', threads: 1},
  {name: 'plain_single', build: 'wasm', threads: 1},
  {name: 'plain_threaded', build: 'wasm-mt', threads},
];

/** Pure arithmetic on `spinners.length` workers at once for `seconds` -> the sum of their rates. */
async function spin(spinners, seconds) {
  const rates = await Promise.all(spinners.map((w) => ask(w, {seconds})));
  return rates.reduce((sum, r) => sum + r.rate, 0);
}

async function main() {
  if (!globalThis.crossOriginIsolated)
    throw new Error('the page is not cross-origin isolated (serve it with --isolate)');
  const workers = configs.map(() => new Worker(new URL('./simd-ab-worker.js', import.meta.url), {type: 'module'}));
  const spinners = Array.from({length: threads}, () => new Worker(new URL('./spin-worker.js', import.meta.url)));
  const hostSeconds = Math.max(0.25, windowSeconds / 4);
  try {
    for (let i = 0; i < configs.length; i++) {
      const {build, threads: n} = configs[i];
      await ask(workers[i], {init: {build, threads: n, model, batch}});
    }
    // Warm-up: V8 tiers the hot functions up only after they have run a while.
    for (const w of workers) await ask(w, {window: warmSeconds});
    await spin(spinners, hostSeconds);
    const windows = configs.map(() => []);
    const hostOne = [],
      hostMany = [];
    for (let r = 0; r < rounds; r++) {
      const order = configs.map((_, i) => i);
      if (r % 2) order.reverse();
      for (const i of order) windows[i].push((await ask(workers[i], {window: windowSeconds})).samples_per_second);
      hostOne.push(await spin(spinners.slice(0, 1), hostSeconds));
      hostMany.push(await spin(spinners, hostSeconds));
    }
    const med = windows.map(median);
    const out = {
      model,
      batch,
      threads,
      window_seconds: windowSeconds,
      rounds,
      cores: navigator.hardwareConcurrency,
      userAgent: navigator.userAgent,
    };
    configs.forEach((c, i) => {
      out[`${c.name}_windows`] = windows[i];
      out[`${c.name}_median`] = med[i];
    });
    out.speedup = med[1] / med[0]; // N threads (pthreads + FMA) over the single-thread FMA build
    out.speedup_same_build = med[1] / med[2]; // N threads over 1 thread, both the pthreads + FMA build
    out.overhead = med[2] / med[0]; // the pthreads + FMA build at 1 thread over the single-thread FMA build
    out.speedup_plain = med[4] / med[3]; // without relaxed SIMD: pthreads at N threads over plain single-thread
    out.host_speedup = median(hostMany) / median(hostOne); // pure arithmetic, N workers over one
    return out;
  } finally {
    [...workers, ...spinners].forEach((w) => w.terminate());
  }
}

main()
  .then(
    (r) => (window.benchResult = r),
    (e) => (window.benchResult = {error: String(e?.message || e)}),
  )
  .then(() => (document.getElementById('out').textContent = JSON.stringify(window.benchResult, null, 2)));
