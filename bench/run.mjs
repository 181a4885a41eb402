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
// it builds nothing (scripts/bench.sh does). Three steps, one module each:
// measure.mjs (run every configuration), goals.mjs (derive the rows and judge the
// goals), report.mjs (print, and render BENCHMARKS.md from the saved result).
//
// Knobs (environment): BENCH_MODELS, BENCH_BATCH, BENCH_SECONDS (timed seconds
// per configuration), BENCH_TFJS_BACKENDS (wasm,cpu,webgl), BENCH_TFJS_CAP (most
// seconds a TF.js configuration is timed for), BENCH_HEAP_BATCHES (cnn batches on
// the full set for the heap figure; 0 = one epoch), BENCH_LATENCY_CALLS,
// BENCH_PYTORCH=1, PYTHON (the interpreter with torch; Debian's by default),
// BENCH_THREADS=0 (skip the pthreads speed-up, bench/threads.mjs), BENCH_FAST=0
// (skip the speed presets in the page, bench/fast.mjs), BENCH_FAST_SEEDS (seeds of the
// fast preset, 10 by default, the goal's; the minute preset runs at most 3), BENCH_JAXJS=0
// (skip jax-js), BENCH_JAXJS_BACKENDS (wasm,webgpu,webgl; cpu too if asked: jax-js
// calls it a debugging device), BENCH_JAXJS_CAP (as BENCH_TFJS_CAP, for jax-js).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {judge} from './goals.mjs';
import {measure, missingBuilds, REQUIRED, settingsFrom} from './measure.mjs';
import {markdown, print} from './report.mjs';

const settings = settingsFrom(process.env, process.argv.slice(2));
const {root, models, batch, seconds, command} = settings;
const missing = missingBuilds();
if (missing.length) {
  console.error(`bench: missing ${missing.join(', ')} (npm run bench builds them)`);
  process.exit(2);
}

const raw = await measure(settings);
const {rows, tfjs, jaxjs, goals} = judge(settings, raw);
const result = {
  date: new Date().toISOString(),
  command,
  // When each measured build was made: the figures are of these files.
  builds: Object.fromEntries(REQUIRED.map((f) => [f, fs.statSync(path.join(root, f)).mtime.toISOString()])),
  machine: {cpu: os.cpus()[0].model, cores: os.cpus().length, node: process.version, load_average: os.loadavg()},
  settings: {seconds, tfjs_cap: settings.tfjsCap, jaxjs_cap: settings.jaxjsCap},
  batch,
  models,
  native: raw.native,
  native_cpu_over_wall: raw.nativeCpuOverWall,
  node_fma: raw.nodeFma,
  node_simd: raw.nodeSimd,
  node_scalar: raw.nodeScalar,
  chromium: raw.chrome,
  rows,
  tfjs,
  jaxjs_run: raw.jaxjsRun,
  jaxjs,
  pytorch: raw.pytorch,
  latency: raw.chrome.latency,
  heap: raw.chrome.heap,
  threads: raw.threadsAb,
  fast: raw.fast,
  goals,
};
print(result);
fs.mkdirSync(path.join(root, 'bench/results'), {recursive: true});
fs.writeFileSync(path.join(root, 'bench/results/latest.json'), `${JSON.stringify(result, null, 2)}\n`);
fs.writeFileSync(path.join(root, 'BENCHMARKS.md'), markdown(result));
console.log('bench: wrote bench/results/latest.json and BENCHMARKS.md');
