// npm run bench: training speed of mlp, cnn and lenet5 in one run, side by side:
// (a) native, (b) wasm+SIMD in node, (c) wasm+SIMD in headless Chromium inside a
// module worker, (d) wasm without SIMD (node and Chromium), each of (b) and (c)
// both as the page runs it in Chromium (build/wasm-fma: fused multiply-adds,
// relaxed SIMD) and as plain SIMD (build/wasm), plus the f32x4
// multiply-add peak, GEMM and convolution FLOP rates measured in the same run;
// (e) the peer, TensorFlow.js (wasm, cpu and webgl backends) in a worker of the
// same Chromium; (e2) the second peer, jax-js (wasm, webgpu and webgl devices), each
// model between two runs of ours in a page of the same Chromium (bench/jaxjs.mjs);
// (f) drawing-pad prediction latency and the wasm heap after
// full-set cnn training, in Chromium; (g) with --pytorch or BENCH_PYTORCH=1,
// PyTorch on the CPU with one thread (bench/pytorch.py) against our native build.
// Prints every ratio beside its goal and writes
// bench/results/latest.json and BENCHMARKS.md. Uses the builds already in build/:
// it builds nothing (scripts/bench.sh does).
//
// Knobs (environment): BENCH_MODELS, BENCH_BATCH, BENCH_SECONDS (timed seconds
// per configuration), BENCH_TFJS_BACKENDS (wasm,cpu,webgl), BENCH_TFJS_CAP (most
// seconds a TF.js configuration is timed for), BENCH_HEAP_BATCHES (cnn batches on
// the full set for the heap figure; 0 = one epoch), BENCH_LATENCY_CALLS,
// BENCH_PYTORCH=1, PYTHON (the interpreter with torch; Debian's by default),
// BENCH_THREADS=0 (skip the pthreads speed-up, bench/threads.mjs), BENCH_FAST=0
// (skip the fast preset's seconds to 99% in the page, bench/fast.mjs), BENCH_JAXJS=0
// (skip jax-js), BENCH_JAXJS_BACKENDS (wasm,webgpu,webgl; cpu too if asked: jax-js
// calls it a debugging device), BENCH_JAXJS_CAP (as BENCH_TFJS_CAP, for jax-js).
import {execFileSync, spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {chromiumArgs} from '../scripts/chromium.mjs';
import {measureFast} from './fast.mjs';
import {jaxjsVersion, measureJaxjs} from './jaxjs.mjs';
import {withServedChromium} from './served.mjs';
import {measureThreads} from './threads.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const models = (env.BENCH_MODELS || 'mlp,cnn,lenet5').split(',');
const batch = Number(env.BENCH_BATCH || 64);
const seconds = Number(env.BENCH_SECONDS || 4);
const tfjsBackends = (env.BENCH_TFJS_BACKENDS || 'wasm,cpu,webgl').split(',').filter(Boolean);
const tfjsCap = Number(env.BENCH_TFJS_CAP || 45);
const jaxjsBackends = (env.BENCH_JAXJS_BACKENDS || 'wasm,webgpu,webgl').split(',').filter(Boolean);
const jaxjsCap = Number(env.BENCH_JAXJS_CAP || tfjsCap);
const heapBatches = Number(env.BENCH_HEAP_BATCHES ?? 300);
const latencyCalls = Number(env.BENCH_LATENCY_CALLS || 200);
const withPytorch = env.BENCH_PYTORCH === '1' || process.argv.includes('--pytorch');
const python = env.PYTHON || '/usr/bin/python3';
const tfjsDir = path.join(root, 'bench/tfjs/node_modules/@tensorflow');
const haveTfjs =
  fs.existsSync(path.join(tfjsDir, 'tfjs/dist/tf.min.js')) &&
  fs.existsSync(path.join(tfjsDir, 'tfjs-backend-wasm/dist/tf-backend-wasm.min.js'));

// The command line as run, for BENCHMARKS.md.
const knobs = Object.keys(env)
  .filter((k) => k.startsWith('BENCH_'))
  .sort()
  .map((k) => `${k}=${env[k]}`);
const command = [...knobs, 'node bench/run.mjs', ...process.argv.slice(2)].join(' ');

const required = [
  'build/native/mnist-bench',
  'build/wasm-fma/mnist_lab.wasm',
  'build/wasm/mnist_lab.wasm',
  'build/wasm-scalar/mnist_lab.wasm',
  'build/wasm-fma/mnist-bench.cjs',
  'build/wasm/mnist-bench.cjs',
  'build/wasm/mnist_lab.mjs',
  'build/wasm-scalar/mnist-bench.cjs',
  'build/wasm-scalar/mnist_lab.mjs',
];
// The build the page runs in Chromium (it validates relaxed SIMD): every goal is
// measured on it; plain SIMD is reported beside it.
const shipped = 'wasm-fma';
const missing = required.filter((f) => !fs.existsSync(path.join(root, f)));
if (missing.length) {
  console.error(`bench: missing ${missing.join(', ')} (npm run bench builds them)`);
  process.exit(2);
}

/** CPU seconds of this process's waited-for children (Linux /proc; null elsewhere). */
function childCpuSeconds() {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100; // cutime, cstime in USER_HZ (100)
  } catch {
    return null;
  }
}

/** Runs a command that prints JSON; -> {json, wallSeconds, cpuSeconds} */
function runJson(cmd, args, options = {}) {
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  let out;
  try {
    out = execFileSync(cmd, args, {cwd: root, encoding: 'utf8', maxBuffer: 1 << 24, stdio: 'pipe', ...options});
  } catch (e) {
    const why =
      String(e.stderr || e.message)
        .split('\n')
        .find((l) => l.trim()) || `exit code ${e.status}`;
    const script = args.find((a) => /\.(cjs|py)$/.test(a)) || cmd;
    throw new Error(`${path.relative(root, script)} failed: ${why.slice(0, 300)}`);
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu1 = childCpuSeconds();
  return {json: JSON.parse(out.trim().split('\n').pop()), wallSeconds, cpuSeconds: cpu0 == null ? null : cpu1 - cpu0};
}

/**
 * Runs the native bench on one model while sampling the process's time on a CPU
 * (/proc/PID/schedstat) -> {json, cpuShare}: CPU-seconds per wall-second over its
 * last `windowSeconds`, the timed training loop (bench_core.cpp times the model
 * last, for at least 1.5 s of wall clock, and then exits).
 */
async function nativeSampled(model, windowSeconds = 1.5) {
  const child = spawn(path.join(root, 'build/native/mnist-bench'), ['--batch', String(batch), model], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const samples = []; // [wall seconds, CPU seconds]
  const timer = setInterval(() => {
    try {
      const ns = Number(fs.readFileSync(`/proc/${child.pid}/schedstat`, 'utf8').split(' ')[0]);
      samples.push([performance.now() / 1000, ns / 1e9]);
    } catch {} // exited, or no schedstat here
  }, 10);
  const code = await new Promise((resolve) => child.on('exit', resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`build/native/mnist-bench ${model} exited with ${code}`);
  const end = samples.at(-1);
  const start = end && samples.find(([t]) => t >= end[0] - windowSeconds);
  const cpuShare = start && end[0] > start[0] ? (end[1] - start[1]) / (end[0] - start[0]) : null;
  return {json: JSON.parse(out.trim().split('\n').pop()), cpuShare};
}

/** Runs each job ({name, query}) on bench/browser/bench.html in one Chromium -> {name: result} */
async function inChromium(jobs) {
  const results = {};
  // WebGL for TF.js's webgl backend: SwiftShader, as there is no GPU.
  const launch = {args: [...chromiumArgs, '--enable-unsafe-swiftshader']};
  await withServedChromium({dir: root, launch}, async ({url, context}) => {
    for (const {name, query, html = 'bench.html'} of jobs) {
      const page = await context.newPage();
      await page.goto(`${url}bench/browser/${html}?${query}`);
      await page.waitForFunction(() => window.benchResult, null, {timeout: 900_000, polling: 500});
      const r = await page.evaluate(() => window.benchResult);
      await page.close();
      if (r.error) throw new Error(`chromium ${name}: ${r.error}`);
      results[name] = r;
      console.log(`bench: Chromium ${name} done`);
    }
  });
  return results;
}

// --- measure ----------------------------------------------------------------

const benchArgs = ['--batch', String(batch), ...models];
console.log(`bench: ${models.join(', ')} at batch ${batch} on ${os.cpus()[0].model}, ${os.cpus().length} cores`);
const nativeRun = runJson(path.join(root, 'build/native/mnist-bench'), benchArgs);
const native = nativeRun.json;
console.log('bench: native done');
// node 20's V8 has relaxed SIMD behind a flag (Chromium has it on).
const nodeFma = runJson(process.execPath, [
  '--experimental-wasm-relaxed-simd',
  path.join(root, 'build/wasm-fma/mnist-bench.cjs'),
  ...benchArgs,
]).json;
console.log('bench: wasm+SIMD+FMA in node done');
const nodeSimd = runJson(process.execPath, [path.join(root, 'build/wasm/mnist-bench.cjs'), ...benchArgs]).json;
console.log('bench: wasm+SIMD in node done');
const nodeScalar = runJson(process.execPath, [path.join(root, 'build/wasm-scalar/mnist-bench.cjs'), ...benchArgs]).json;
console.log('bench: wasm scalar in node done');

const q = (o) => new URLSearchParams(o).toString();
const jobs = [shipped, 'wasm', 'wasm-scalar'].map((build) => ({
  name: build,
  query: q({build, models, batch, seconds}),
}));
const latencyModels = ['mlp', 'cnn'];
// SIMD vs scalar on cnn, the two builds taking turns window by window so that
// load from elsewhere on this shared machine hits both alike (simd-ab-page.js).
const abRounds = Number(process.env.BENCH_AB_ROUNDS || 6);
jobs.push({
  name: 'simd-ab',
  html: 'simd-ab.html',
  query: q({model: 'cnn', batch, window: Math.max(2, seconds), rounds: abRounds, builds: `${shipped},wasm-scalar`}),
});
jobs.push({name: 'latency', query: q({task: 'latency', build: shipped, models: latencyModels, calls: latencyCalls})});
jobs.push({name: 'heap', query: q({task: 'heap', build: shipped, models: 'cnn', batch, batches: heapBatches})});
if (haveTfjs) {
  for (const backend of tfjsBackends) {
    jobs.push({
      name: `tfjs-${backend}`,
      query: q({task: 'tfjs', backend, build: shipped, models, batch, seconds, cap: tfjsCap}),
    });
  }
} else {
  console.log('bench: TensorFlow.js is not installed in bench/tfjs (scripts/bench.sh installs it): no peer figures');
}
const chrome = await inChromium(jobs);

// The second peer, jax-js, in one page of the same Chromium: each model between
// two runs of ours on the page's build (bench/jaxjs.mjs).
let jaxjsRun = null;
if (env.BENCH_JAXJS !== '0') {
  if (!jaxjsVersion()) {
    console.log('bench: jax-js is not installed in bench/jaxjs (scripts/bench.sh installs it): no figures for it');
  } else {
    try {
      jaxjsRun = await measureJaxjs({models, backends: jaxjsBackends, batch, seconds, cap: jaxjsCap, build: shipped});
      console.log('bench: jax-js done');
    } catch (e) {
      console.log(`bench: jax-js failed: ${e.message}`);
    }
  }
}

// The pthreads build at 2 threads against the single-thread build (both plain
// SIMD), taking turns window by window in a cross-origin isolated page.
let threadsAb = null;
if (env.BENCH_THREADS !== '0') {
  try {
    threadsAb = await measureThreads({models, batch, window: Math.max(2, seconds), rounds: abRounds});
    console.log('bench: threads speed-up done');
  } catch (e) {
    console.log(`bench: threads speed-up failed: ${e.message}`);
  }
}

// The moonshot: the fast preset trained in the built page, one worker.
let fast = null;
if (env.BENCH_FAST !== '0') {
  try {
    [fast] = await measureFast({model: 'fast'});
    console.log('bench: fast preset in the page done');
  } catch (e) {
    console.log(`bench: fast preset failed: ${e.message}`);
  }
}

// Native vs PyTorch, model by model and back to back: our native bench on one
// model, then PyTorch on it. The native bench times wall clock; on a busy
// machine its one thread gets less than a core, so its rate per CPU-second is
// the wall rate over its CPU share during the timed loop (PyTorch is timed in
// CPU-seconds).
let pytorch = null;
if (withPytorch) {
  try {
    for (const m of models) {
      const ours = await nativeSampled(m);
      const peer = runJson(
        python,
        [path.join(root, 'bench/pytorch.py'), '--batch', String(batch), '--seconds', String(seconds), m],
        {stdio: ['ignore', 'pipe', 'inherit']},
      ).json;
      const wall = ours.json.train_samples_per_second[m];
      const share = Math.min(1, ours.cpuShare ?? 1);
      // A CPU-time rate from the bench itself, where it reports one, beats the estimate.
      const perCpu = ours.json.train_samples_per_cpu_second?.[m] ?? wall / share;
      pytorch = {
        ...peer,
        train: {
          ...pytorch?.train,
          [m]: {...peer.train[m], native: {per_wall_second: wall, cpu_over_wall: share, per_cpu_second: perCpu}},
        },
      };
    }
    console.log('bench: native vs PyTorch done');
  } catch (e) {
    pytorch = null;
    console.log(
      `bench: PyTorch failed (${python} needs torch: BENCH_PYTORCH=1 npm run bench installs it): ${e.message}`,
    );
  }
}

// --- derive -----------------------------------------------------------------

const rows = models.map((m) => ({
  model: m,
  native: native.train_samples_per_second[m],
  node_fma: nodeFma.train_samples_per_second[m],
  node_simd: nodeSimd.train_samples_per_second[m],
  node_scalar: nodeScalar.train_samples_per_second[m],
  chromium_fma: chrome[shipped].train_samples_per_second[m],
  chromium_simd: chrome.wasm.train_samples_per_second[m],
  chromium_scalar: chrome['wasm-scalar'].train_samples_per_second[m],
}));

// Each peer per model and backend: samples/s with ours measured just before and
// after it (`ours`), or why not ('cannot train', 'unavailable').
/** {backend: one run of the peer on it} -> {model: {backend: figures}} */
function peerTable(runs) {
  return Object.fromEntries(
    models.map((m) => [
      m,
      Object.fromEntries(
        Object.entries(runs).map(([backend, r]) => {
          const fig = r.models?.[m];
          return [
            backend,
            r.unavailable
              ? {unavailable: r.unavailable}
              : fig?.error
                ? {cannot_train: fig.error}
                : fig && {...fig, ours: r.ours[m]},
          ];
        }),
      ),
    ]),
  );
}
const tfjs = peerTable(Object.fromEntries((haveTfjs ? tfjsBackends : []).map((b) => [b, chrome[`tfjs-${b}`]])));
const jaxjs = jaxjsRun ? peerTable(jaxjsRun.backends) : {};
/** The fastest backend of a peer ({backend: figures}) that trains the model (optionally only `only`) -> {backend, samples_per_second, ours} | null */
function fastestPeer(byBackend, only) {
  let best = null;
  for (const [backend, fig] of Object.entries(byBackend || {})) {
    if (only && backend !== only) continue;
    if (fig?.samples_per_second && (!best || fig.samples_per_second > best.samples_per_second)) {
      best = {backend, ...fig};
    }
  }
  return best;
}

const heap = chrome.heap;
const latency = chrome.latency;
const nativeCpuFraction = nativeRun.cpuSeconds == null ? null : nativeRun.cpuSeconds / nativeRun.wallSeconds;

// Every speed goal this run measures: {goal, value, target, unit, met, detail}
const goals = [];
// target null: a figure to report, with no bar to meet.
const goal = (name, value, target, unit, detail, atMost = false) =>
  goals.push({
    goal: name,
    value,
    target,
    unit,
    detail,
    at_most: atMost,
    met: value == null || target == null ? null : atMost ? value <= target : value >= target,
  });
const n0 = (x) => Math.round(x).toLocaleString('en');
for (const [m, target, only] of [
  ['mlp', 5, 'wasm'],
  ['cnn', 100],
  ['lenet5', 50],
]) {
  const row = rows.find((r) => r.model === m);
  if (!row || !haveTfjs) continue;
  const peer = fastestPeer(tfjs[m], only);
  const what = only ? `TF.js ${only} backend` : 'the fastest TF.js backend that trains it';
  goal(
    `${m} training in Chromium vs ${what}`,
    peer && peer.ours / peer.samples_per_second,
    target,
    '×',
    peer
      ? `${n0(peer.ours)} vs ${n0(peer.samples_per_second)} samples/s (TF.js ${peer.backend}; ours just before and after it)`
      : `no TF.js backend trains ${m} here`,
  );
}
for (const m of jaxjsRun ? models : []) {
  const peer = fastestPeer(jaxjs[m]);
  goal(
    `${m} training in Chromium vs the fastest jax-js backend that trains it`,
    peer && peer.ours / peer.samples_per_second,
    5,
    '×',
    peer
      ? `${n0(peer.ours)} vs ${n0(peer.samples_per_second)} samples/s (jax-js ${peer.backend}; ours just before and after it)`
      : `no jax-js backend trains ${m} here`,
  );
}
const cnnRow = rows.find((r) => r.model === 'cnn');
if (cnnRow) {
  const ab = chrome['simd-ab'];
  goal(
    "cnn SIMD (the page's build, with FMA) / scalar build (Chromium, interleaved windows)",
    ab.ratio,
    3,
    '×',
    `medians of ${ab.rounds} alternating ${ab.window_seconds} s windows each: ${n0(ab.simd_median)} vs ${n0(ab.scalar_median)} samples/s ` +
      `(back to back in the table below: ${(cnnRow.chromium_fma / cnnRow.chromium_scalar).toFixed(2)}× with FMA, ` +
      `${(cnnRow.chromium_simd / cnnRow.chromium_scalar).toFixed(2)}× plain SIMD)`,
  );
}
// Each build against the peak measured in it: the FMA build's peak loops fuse too.
const pct = (k, what) => `${k[`${what}_gflops`].toFixed(1)} of ${k.peak_gflops.toFixed(1)} GFLOP/s`;
goal(
  'GEMM 128×784×512 / f32x4 peak (wasm+SIMD+FMA, node)',
  nodeFma.gemm_pct_of_peak,
  60,
  '%',
  `${pct(nodeFma, 'gemm_128x784x512')}; plain SIMD: ${nodeSimd.gemm_pct_of_peak.toFixed(0)}%, ${pct(nodeSimd, 'gemm_128x784x512')}`,
);
// The im2col + GEMM path's rate counts the multiply-adds it executes; the
// Winograd path (what cnn's second layer runs) executes a quarter of them, so its
// rate in the same units is an effective one, reported beside it.
const winograd = (k) =>
  k.conv_winograd_fwd_bwd_effective_gflops
    ? `; Winograd F(4x4,3x3) on the same layer: ${k.conv_winograd_fwd_bwd_effective_gflops.toFixed(1)} GFLOP/s effective, ${k.conv_winograd_speedup.toFixed(2)}× im2col`
    : '';
goal(
  'conv fwd+bwd (im2col + GEMM) / f32x4 peak (wasm+SIMD+FMA, node)',
  nodeFma.conv_pct_of_peak,
  40,
  '%',
  `${pct(nodeFma, 'conv_fwd_bwd')}; plain SIMD: ${nodeSimd.conv_pct_of_peak.toFixed(0)}%, ${pct(nodeSimd, 'conv_fwd_bwd')}${winograd(nodeFma)}`,
);
if (pytorch) {
  for (const row of rows) {
    const peer = pytorch.train[row.model];
    if (!peer) continue;
    goal(
      `${row.model} native vs PyTorch CPU, 1 thread`,
      peer.native.per_cpu_second / peer.per_cpu_second,
      1,
      '×',
      `${n0(peer.native.per_cpu_second)} vs ${n0(peer.per_cpu_second)} samples per CPU-second, back to back (ours ` +
        `${n0(peer.native.per_wall_second)}/s wall at ${peer.native.cpu_over_wall.toFixed(2)} CPU/wall)`,
    );
  }
}
for (const m of latencyModels) {
  const l = latency.models[m];
  for (const [stat, key] of [
    ['median', 'median_ms'],
    ['p95', 'p95_ms'],
  ]) {
    goal(
      `${m} drawing-pad prediction, ${stat} round trip`,
      l.round_trip[key],
      2,
      'ms',
      `${latency.calls} calls with all activations; ${l.in_worker[key].toFixed(2)} ms inside the worker`,
      true,
    );
  }
}
if (fast) {
  const what = `one run of the fast preset in the built page, served as a plain static host (one worker, ${fast.engine})`;
  goal(
    'fast preset: test accuracy shown after one training run in the page',
    fast.accuracy,
    99,
    '%',
    `${what}; ${fast.epochs} epoch, batch ${fast.batch}, ${n0(fast.samples_per_second)} samples/s`,
  );
  goal(
    'fast preset: seconds from pressing Train to that accuracy shown',
    fast.seconds,
    30,
    's',
    `includes the MNIST download (${fast.started.toFixed(1)} s to the first step) and the 10,000-digit evaluation; ` +
      `the page's own training time ${fast.train_time}`,
    true,
  );
}
if (threadsAb) {
  for (const [m, r] of Object.entries(threadsAb.models)) {
    goal(
      `${m} 2-core speed-up: pthreads build at ${r.threads} threads / single-thread build (Chromium)`,
      r.speedup,
      null,
      '×',
      `medians of ${r.rounds} alternating ${r.window_seconds} s windows each in a cross-origin isolated page: ` +
        `${n0(r.threaded_median)} vs ${n0(r.single_median)} samples/s (pthreads build at 1 thread: ${n0(r.threaded_1_median)})`,
    );
  }
}
const heapWhat = heap.batches === heap.batches_per_epoch ? 'one epoch' : `${heap.batches} batches`;
goal(
  'peak wasm heap, cnn on the full set',
  heap.peak_heap_mb,
  256,
  'MB',
  `60k+10k digits loaded, ${heapWhat} of batch ${heap.batch} with augmentation, then the full test set evaluated`,
  true,
);

// --- print ------------------------------------------------------------------

const fmt = (x) => x.toFixed(0).padStart(9);
const ratio = (a, b) => (a / b).toFixed(2).padStart(7);
console.log(`\ntraining samples/s (batch ${batch})`);
console.log(
  'model      native   node+FMA  node+SIMD node-scalar chrome+FMA chrome+SIMD chrome-scalar | chrome/native  FMA/scalar SIMD/scalar(chrome)',
);
for (const r of rows) {
  console.log(
    `${r.model.padEnd(8)}${fmt(r.native)}${fmt(r.node_fma)}${fmt(r.node_simd)}${fmt(r.node_scalar)}  ${fmt(r.chromium_fma)}  ${fmt(r.chromium_simd)}  ${fmt(r.chromium_scalar)}   | ${ratio(r.chromium_fma, r.native)}       ${ratio(r.chromium_fma, r.chromium_scalar)}  ${ratio(r.chromium_simd, r.chromium_scalar)}`,
  );
}
const kernels = [
  ['native', native],
  ['wasm+SIMD+FMA (node)', nodeFma],
  ['wasm+SIMD (node)', nodeSimd],
  ['wasm scalar (node)', nodeScalar],
];
console.log(
  '\nkernels (GFLOP/s)     peak 4-wide mul+add   GEMM 128x784x512   conv fwd+bwd   GEMM/peak  conv/peak   Winograd (effective)',
);
for (const [name, k] of kernels) {
  const wino = k.conv_winograd_fwd_bwd_effective_gflops;
  console.log(
    `${name.padEnd(22)}${k.peak_gflops.toFixed(1).padStart(10)}${k.gemm_128x784x512_gflops.toFixed(1).padStart(19)}${k.conv_fwd_bwd_gflops.toFixed(1).padStart(15)}${((100 * k.gemm_128x784x512_gflops) / k.peak_gflops).toFixed(0).padStart(11)}%${((100 * k.conv_fwd_bwd_gflops) / k.peak_gflops).toFixed(0).padStart(9)}%${(wino ? `${wino.toFixed(1)} (${k.conv_winograd_speedup.toFixed(2)}×)` : '-').padStart(20)}`,
  );
}

// TF.js samples/s and ours / TF.js, ours measured just before and after it.
const peerCell = (fig) =>
  !fig
    ? 'not run'
    : fig.samples_per_second
      ? `${n0(fig.samples_per_second)}; ours ${(fig.ours / fig.samples_per_second).toFixed(1)}×`
      : fig.cannot_train
        ? 'cannot train'
        : 'unavailable';
/** Prints a peer's table ({model: {backend: figures}}) under `title`, each backend's notes (notes(run)) under it. */
function printPeer(title, prefix, runs, table, notes = () => []) {
  const backends = Object.keys(runs);
  console.log(`\n${title}`);
  console.log(`model   ours(chrome+FMA)  ${backends.map((b) => `${prefix}-${b}`.padStart(22)).join('')}`);
  for (const r of rows) {
    console.log(
      `${r.model.padEnd(8)}${fmt(r.chromium_fma).padStart(17)} ${backends.map((b) => peerCell(table[r.model][b]).padStart(22)).join('')}`,
    );
  }
  for (const [b, r] of Object.entries(runs)) {
    const lines = [
      r.unavailable && `unavailable: ${r.unavailable}`,
      ...notes(r),
      ...models.filter((m) => table[m][b]?.cannot_train).map((m) => `${m}: ${table[m][b].cannot_train}`),
    ].filter(Boolean);
    if (lines.length) console.log(`  ${prefix}-${b}: ${lines.join('; ')}`);
  }
}
if (haveTfjs) {
  printPeer(
    `TensorFlow.js ${chrome[`tfjs-${tfjsBackends[0]}`].tfjs} in a Chromium worker, training samples/s (batch ${batch})`,
    'tfjs',
    Object.fromEntries(tfjsBackends.map((b) => [b, chrome[`tfjs-${b}`]])),
    tfjs,
    (r) => [
      r.renderer,
      r.wasm_simd != null && `SIMD ${r.wasm_simd ? 'on' : 'off'}, threads ${r.wasm_threads ? 'on' : 'off'}`,
    ],
  );
}
if (jaxjsRun) {
  printPeer(
    `jax-js ${jaxjsRun.jaxjs} in a Chromium worker, training samples/s (batch ${batch}; jit compilation not timed)`,
    'jax-js',
    jaxjsRun.backends,
    jaxjs,
    (r) => [r.renderer, r.backend === 'wasm' && `threads ${r.threads ? 'on' : 'off'}`],
  );
}
if (pytorch) {
  console.log(
    `\nPyTorch ${pytorch.torch} CPU, ${pytorch.threads} thread vs ours native, back to back, training samples per CPU-second`,
  );
  for (const r of rows) {
    const p = pytorch.train[r.model];
    if (!p) continue;
    console.log(
      `${r.model.padEnd(8)} pytorch ${fmt(p.per_cpu_second)}   native ${fmt(p.native.per_cpu_second)} ` +
        `(wall ${n0(p.native.per_wall_second)} at ${p.native.cpu_over_wall.toFixed(2)} CPU/wall)   native/pytorch ` +
        `${ratio(p.native.per_cpu_second, p.per_cpu_second)} (wall ${ratio(p.native.per_wall_second, p.per_cpu_second).trim()})`,
    );
  }
}
console.log(
  `\nlatency (Chromium, ${latency.calls} drawing-pad predictions with all activations, after ${latency.warmup} warm-up)`,
);
for (const m of latencyModels) {
  const l = latency.models[m];
  console.log(
    `${m.padEnd(8)} round trip median ${l.round_trip.median_ms.toFixed(2)} ms, p95 ${l.round_trip.p95_ms.toFixed(2)} ms; in the worker median ${l.in_worker.median_ms.toFixed(2)} ms, p95 ${l.in_worker.p95_ms.toFixed(2)} ms`,
  );
}
console.log(
  `heap (Chromium, cnn, ${heapWhat} on ${heap.train_count} digits at ${n0(heap.samples_per_second)} samples/s): ` +
    Object.entries(heap.heap_mb)
      .map(([k, v]) => `${k} ${v.toFixed(0)} MB`)
      .join(', '),
);

const cell = (g) =>
  g.value == null
    ? 'n/a'
    : g.unit === '×'
      ? `${g.value.toFixed(g.value < 10 ? 2 : 1)}×`
      : g.unit === '%'
        ? `${g.value.toFixed(g.target === 99 ? 2 : 0)}%`
        : g.unit === 'ms'
          ? `${g.value.toFixed(2)} ms`
          : g.unit === 's'
            ? `${g.value.toFixed(1)} s`
            : `${g.value.toFixed(0)} MB`;
const targetCell = (g) =>
  g.target == null
    ? 'report'
    : `${g.at_most ? '≤' : '≥'} ${g.target}${g.unit === '×' || g.unit === '%' ? g.unit : ` ${g.unit}`}`;
const metCell = (g) => (g.target == null ? 'reported' : g.met == null ? 'n/a' : g.met ? 'met' : 'NOT MET');
console.log('\nspeed goals');
for (const g of goals) {
  console.log(
    `${g.goal.padEnd(66)}${cell(g).padStart(10)}  goal ${targetCell(g).padEnd(9)} ${metCell(g).padEnd(8)} ${g.detail}`,
  );
}

// --- write ------------------------------------------------------------------

const result = {
  date: new Date().toISOString(),
  command,
  // When each measured build was made: the figures are of these files.
  builds: Object.fromEntries(required.map((f) => [f, fs.statSync(path.join(root, f)).mtime.toISOString()])),
  machine: {cpu: os.cpus()[0].model, cores: os.cpus().length, node: process.version, load_average: os.loadavg()},
  batch,
  models,
  native,
  native_cpu_over_wall: nativeCpuFraction,
  node_fma: nodeFma,
  node_simd: nodeSimd,
  node_scalar: nodeScalar,
  chromium: chrome,
  rows,
  tfjs,
  jaxjs_run: jaxjsRun,
  jaxjs,
  pytorch,
  latency,
  heap,
  threads: threadsAb,
  fast,
  goals,
};
fs.mkdirSync(path.join(root, 'bench/results'), {recursive: true});
fs.writeFileSync(path.join(root, 'bench/results/latest.json'), `${JSON.stringify(result, null, 2)}\n`);
fs.writeFileSync(path.join(root, 'BENCHMARKS.md'), markdown(result));
console.log('bench: wrote bench/results/latest.json and BENCHMARKS.md');

function markdown(r) {
  const n = (x) => Math.round(x).toLocaleString('en');
  const g = (x) => x.toFixed(1);
  const table = (head, lines) =>
    `| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|\n` +
    lines.map((l) => `| ${l.join(' | ')} |\n`).join('');
  let md = `# Benchmarks\n\nLatest figures from \`${r.command}\` (what \`npm run bench\` runs after building), `;
  md += `${r.date.slice(0, 16).replace('T', ' ')} UTC, `;
  md += `on ${r.machine.cpu}, ${r.machine.cores} cores (shared and noisy, load average ${r.machine.load_average[0].toFixed(1)} at the end: compare the ratios, which are measured side by side in one run), `;
  md += `node ${r.machine.node}, ${r.chromium[shipped].userAgent.match(/Chrome\/[\d.]+/)?.[0] || 'Chromium'} headless. `;
  md += `Training on synthetic 28×28 data, batch ${r.batch}, one thread, after a warm-up. Builds measured: `;
  md += Object.entries(r.builds)
    .filter(([f]) => /mnist-bench$|\.wasm$/.test(f))
    .map(([f, t]) => `${f} of ${t.slice(0, 16).replace('T', ' ')}`)
    .join(', ');
  md += '. Raw numbers: bench/results/latest.json.\n\n';
  md += `## Speed goals\n\n${table(
    ['goal', 'measured', 'target', '', 'from'],
    r.goals.map((x) => [x.goal, cell(x), targetCell(x), metCell(x), x.detail]),
  )}`;
  md += '\n## Training samples/s\n\n';
  md += table(
    [
      'model',
      'native',
      'wasm+SIMD+FMA (node)',
      'wasm+SIMD (node)',
      'wasm scalar (node)',
      'wasm+SIMD+FMA (Chromium worker)',
      'wasm+SIMD (Chromium worker)',
      'wasm scalar (Chromium worker)',
      'Chromium FMA / native',
      'FMA / scalar (Chromium)',
      'SIMD / scalar (Chromium)',
    ],
    r.rows.map((row) => [
      row.model,
      n(row.native),
      n(row.node_fma),
      n(row.node_simd),
      n(row.node_scalar),
      n(row.chromium_fma),
      n(row.chromium_simd),
      n(row.chromium_scalar),
      (row.chromium_fma / row.native).toFixed(2),
      `${(row.chromium_fma / row.chromium_scalar).toFixed(2)}×`,
      `${(row.chromium_simd / row.chromium_scalar).toFixed(2)}×`,
    ]),
  );
  md +=
    '\nWasm+SIMD+FMA is build/wasm-fma, what the page runs in a browser with relaxed SIMD (Chromium): every multiply-add ';
  md +=
    'of the GEMM and convolution kernels is one f32x4.relaxed_madd. Wasm+SIMD is build/wasm, what other browsers get.\n';
  const backends = Object.keys(r.tfjs[r.models[0]] || {});
  if (backends.length) {
    const first = r.chromium[`tfjs-${backends[0]}`];
    md += `\n## TensorFlow.js ${first.tfjs} (the peer, same Chromium, one worker each)\n\n`;
    md += table(
      ['model', 'ours, wasm+SIMD+FMA', ...backends.map((b) => `TF.js ${b}`)],
      r.rows.map((row) => [row.model, n(row.chromium_fma), ...backends.map((b) => peerCell(r.tfjs[row.model][b]))]),
    );
    md += `\nEach TF.js cell: its training samples/s, then ours / TF.js, where ours is the mean of two runs on the same model `;
    md +=
      'in fresh workers, one just before TF.js and one just after (the goals use these ratios; the first column is from the run above). ';
    md += `Same layers, Adam, softmax cross-entropy, \`model.trainOnBatch\` on synthetic batches kept as tensors; `;
    md += `each configuration is timed for ${seconds} s after a warm-up (at least two batches, at most ${tfjsCap} s).`;
    for (const b of backends) {
      const x = r.chromium[`tfjs-${b}`];
      if (x.unavailable) md += ` TF.js ${b}: unavailable here (${x.unavailable}).`;
      if (x.wasm_simd != null)
        md += ` TF.js wasm: SIMD ${x.wasm_simd ? 'on' : 'off'}, threads ${x.wasm_threads ? 'on' : 'off'}.`;
      if (x.renderer) md += ` TF.js webgl renders with ${x.renderer}.`;
      const cannot = r.models.filter((m) => r.tfjs[m][b]?.cannot_train);
      if (cannot.length)
        md += ` TF.js ${b} cannot train ${cannot.join(', ')}: \`${r.tfjs[cannot[0]][b].cannot_train}\`.`;
    }
    md += '\n';
  }
  if (r.jaxjs_run) md += jaxjsMarkdown(r, table, n);
  if (r.pytorch) {
    md += `\n## Native vs PyTorch ${r.pytorch.torch} (CPU, ${r.pytorch.threads} thread, bench/pytorch.py)\n\n`;
    md += table(
      [
        'model',
        'ours native, per wall-second',
        'its CPU / wall',
        'ours native, per CPU-second',
        'PyTorch, per CPU-second',
        'native / PyTorch',
        'native per wall-second / PyTorch',
      ],
      r.rows
        .filter((row) => r.pytorch.train[row.model])
        .map((row) => {
          const p = r.pytorch.train[row.model];
          return [
            row.model,
            n(p.native.per_wall_second),
            p.native.cpu_over_wall.toFixed(2),
            n(p.native.per_cpu_second),
            n(p.per_cpu_second),
            `${(p.native.per_cpu_second / p.per_cpu_second).toFixed(2)}×`,
            `${(p.native.per_wall_second / p.per_cpu_second).toFixed(2)}×`,
          ];
        }),
    );
    md += `\nEach model: our native bench on it, then PyTorch on it, back to back. PyTorch is timed with \`time.process_time\` `;
    md += `(Debian's python3-torch with OpenBLAS, oneDNN ${r.pytorch.mkldnn ? 'on' : 'off'}, one thread); our native bench `;
    md +=
      'times wall clock in one thread, so its rate per CPU-second is the wall rate over the share of a CPU its thread ';
    md +=
      'had during the timed training loop (sampled from /proc/PID/schedstat; the last column, per wall-second, is a lower bound).\n';
  }
  md += `\n## Drawing-pad latency and memory (Chromium, wasm+SIMD+FMA)\n\n`;
  md += table(
    ['model', 'round trip median', 'round trip p95', 'in the worker median', 'in the worker p95'],
    Object.entries(r.latency.models).map(([m, l]) => [
      m,
      `${l.round_trip.median_ms.toFixed(2)} ms`,
      `${l.round_trip.p95_ms.toFixed(2)} ms`,
      `${l.in_worker.median_ms.toFixed(2)} ms`,
      `${l.in_worker.p95_ms.toFixed(2)} ms`,
    ]),
  );
  md += `\nA prediction is what the page's worker does for the drawing pad: \`predictDrawing\` on a 112×112 drawing, `;
  md += `the 28×28 input and every layer's activation copied and transferred back; the shipped weights; ${r.latency.calls} calls after ${r.latency.warmup}. `;
  md += `Round trip: from the page's postMessage to the reply.\n\n`;
  md += `Wasm memory (MB) training \`cnn\` on the full set, ${heapWhat} (${n(r.heap.samples_per_second)} samples/s with augmentation), `;
  md += `test accuracy after it ${(100 * r.heap.test_accuracy).toFixed(2)}%: `;
  md += Object.entries(r.heap.heap_mb)
    .map(([k, v]) => `${k.replace('_', ' ')} ${v.toFixed(0)}`)
    .join(', ');
  md += '. Wasm memory only grows, so the last figure is the peak.\n';
  md += '\n## Kernels (GFLOP/s, one core)\n\n';
  md += table(
    [
      'build',
      '4-wide multiply-add peak',
      'GEMM 128×784×512',
      'conv 32→64 3×3 fwd+bwd (im2col + GEMM)',
      'GEMM / peak',
      'conv / peak',
      'same conv, Winograd F(4×4,3×3): effective GFLOP/s, × im2col',
    ],
    [
      ['native', r.native],
      ['wasm+SIMD+FMA (node)', r.node_fma],
      ['wasm+SIMD (node)', r.node_simd],
      ['wasm scalar (node)', r.node_scalar],
    ].map(([name, k]) => [
      name,
      g(k.peak_gflops),
      g(k.gemm_128x784x512_gflops),
      g(k.conv_fwd_bwd_gflops),
      `${((100 * k.gemm_128x784x512_gflops) / k.peak_gflops).toFixed(0)}%`,
      `${((100 * k.conv_fwd_bwd_gflops) / k.peak_gflops).toFixed(0)}%`,
      k.conv_winograd_fwd_bwd_effective_gflops
        ? `${g(k.conv_winograd_fwd_bwd_effective_gflops)}, ${k.conv_winograd_speedup.toFixed(2)}×`
        : '-',
    ]),
  );
  md +=
    '\nThe peak is the faster of two register-only loops measured in the same build: independent multiply-add chains, and the ';
  md +=
    "GEMM microkernel's pattern (broadcast scalars from an L1 table times two vectors); in the FMA build both fuse. ";
  md +=
    "Conv rates count the direct convolution's multiply-adds (3 × 2 × 64 × 288 × 121 per sample); cnn's second layer runs the ";
  md +=
    'Winograd path, whose GEMMs execute a quarter of them (36 products per 4×4 tile for 144), so its rate is effective, not executed, and can pass the peak. ';
  md += `The native peak is the same 4-wide loops compiled for this CPU (the compiler may widen them); the native build's Eigen reports: ${r.native.eigen_simd}.\n`;
  md +=
    '\n## Commands\n\n```sh\nnpm run bench                      # builds (plus build/wasm-scalar), installs TF.js and jax-js into bench/tfjs and bench/jaxjs on first use, measures\n';
  md += 'BENCH_PYTORCH=1 npm run bench    # also PyTorch (installs python3-torch and libopenblas0 on first use)\n';
  md += 'node bench/run.mjs [--pytorch]    # measures the builds already in build/\n';
  md +=
    'node bench/jaxjs.mjs              # only jax-js beside ours, in Chromium (--models, --backends, --seconds, --json)\n```\n';
  return md;
}

/** BENCHMARKS.md's jax-js section: samples/s per model and device, ours / jax-js, and what it cannot do here. */
function jaxjsMarkdown(r, table, n) {
  const run = r.jaxjs_run;
  const devices = Object.keys(run.backends);
  let md = `\n## jax-js ${run.jaxjs} (the second peer, same Chromium, one worker each)\n\n`;
  md += table(
    ['model', 'ours, wasm+SIMD+FMA', ...devices.map((b) => `jax-js ${b}`)],
    r.rows.map((row) => [row.model, n(row.chromium_fma), ...devices.map((b) => peerCell(r.jaxjs[row.model][b]))]),
  );
  md +=
    '\nEach jax-js cell: its training samples/s, then ours / jax-js, where ours is the mean of two runs on the same model in ';
  md +=
    'fresh workers of the same page, one just before jax-js and one just after (bench/jaxjs.mjs; the goals use these ratios; ';
  md += 'the first column is from the run above). ';
  md +=
    "Same layers (NCHW), Adam, softmax cross-entropy and synthetic batches (bench/browser/synthetic.js's generator, kept on the device), ";
  md +=
    'trained the JAX way (bench/jaxjs/train.js): `valueAndGrad` of the loss over a params pytree and the whole step, Adam included, ';
  md += 'in one `jit`; Adam is written out, as the optax-style `@jax-js/optax` is not on npm. ';
  md += `Each configuration is timed for ${seconds} s after a warm-up of at least two steps and 1.5 s `;
  md += `(at most ${jaxjsCap} s timed); the first step traces and compiles the jit and its kernels and is never timed`;
  const first = r.models
    .map((m) => [m, run.backends.wasm?.models?.[m]?.first_step_seconds])
    .filter(([, s]) => s != null);
  if (first.length)
    md += ` (on wasm, with its compilation: ${first.map(([m, s]) => `${m} ${s.toFixed(1)} s`).join(', ')})`;
  md += '.';
  if (run.backends.wasm?.threads === false) {
    md +=
      " The page is not cross-origin isolated (no SharedArrayBuffer), so jax-js's wasm device runs one thread, as ours and TF.js's do.";
  }
  for (const b of devices) {
    const x = run.backends[b];
    if (x.unavailable) md += ` jax-js ${b}: unavailable here (\`${x.unavailable}\`).`;
    const cannot = r.models.filter((m) => r.jaxjs[m][b]?.cannot_train);
    if (cannot.length)
      md += ` jax-js ${b} cannot train ${cannot.join(', ')}: \`${r.jaxjs[cannot[0]][b].cannot_train}\`.`;
    if (x.renderer) md += ` jax-js ${b} renders with ${x.renderer}.`;
  }
  return `${md}\n`;
}
