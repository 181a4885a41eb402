// npm run bench, step one: measure. Reads the knobs (see run.mjs), runs every
// configuration side by side on the builds already in build/, and returns the raw
// figures; goals.mjs judges them and report.mjs prints and writes them.
import {execFileSync, spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {chromiumArgs} from '../scripts/chromium.mjs';
import {measureFast, summarise} from './fast.mjs';
import {jaxjsVersion, measureJaxjs} from './jaxjs.mjs';
import {withServedChromium} from './served.mjs';
import {measureThreads} from './threads.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// The build the page runs in Chromium (it validates relaxed SIMD): every goal is
// measured on it; plain SIMD is reported beside it.
export const SHIPPED = 'wasm-fma';
// The builds a run measures; bench.sh builds them.
export const REQUIRED = [
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
// The models whose drawing-pad latency is measured.
export const LATENCY_MODELS = ['mlp', 'cnn'];

/** The knobs (environment and argv, see run.mjs) -> the run's settings. */
export function settingsFrom(env, argv) {
  const tfjsDir = path.join(root, 'bench/tfjs/node_modules/@tensorflow');
  const tfjsCap = Number(env.BENCH_TFJS_CAP || 45);
  // The command line as run, for BENCHMARKS.md.
  const knobs = Object.keys(env)
    .filter((k) => k.startsWith('BENCH_'))
    .sort()
    .map((k) => `${k}=${env[k]}`);
  return {
    root,
    models: (env.BENCH_MODELS || 'mlp,cnn,lenet5').split(','),
    batch: Number(env.BENCH_BATCH || 64),
    seconds: Number(env.BENCH_SECONDS || 4),
    tfjsBackends: (env.BENCH_TFJS_BACKENDS || 'wasm,cpu,webgl').split(',').filter(Boolean),
    tfjsCap,
    jaxjsBackends: (env.BENCH_JAXJS_BACKENDS || 'wasm,webgpu,webgl').split(',').filter(Boolean),
    jaxjsCap: Number(env.BENCH_JAXJS_CAP || tfjsCap),
    heapBatches: Number(env.BENCH_HEAP_BATCHES ?? 300),
    latencyCalls: Number(env.BENCH_LATENCY_CALLS || 200),
    abRounds: Number(env.BENCH_AB_ROUNDS || 6),
    withJaxjs: env.BENCH_JAXJS !== '0',
    withThreads: env.BENCH_THREADS !== '0',
    withFast: env.BENCH_FAST !== '0',
    fastSeeds: Number(env.BENCH_FAST_SEEDS || 10),
    withPytorch: env.BENCH_PYTORCH === '1' || argv.includes('--pytorch'),
    python: env.PYTHON || '/usr/bin/python3',
    haveTfjs:
      fs.existsSync(path.join(tfjsDir, 'tfjs/dist/tf.min.js')) &&
      fs.existsSync(path.join(tfjsDir, 'tfjs-backend-wasm/dist/tf-backend-wasm.min.js')),
    command: [...knobs, 'node bench/run.mjs', ...argv].join(' '),
  };
}

/** The required builds that are missing. */
export const missingBuilds = () => REQUIRED.filter((f) => !fs.existsSync(path.join(root, f)));

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
async function nativeSampled(model, batch, windowSeconds = 1.5) {
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

/**
 * Runs every configuration the settings ask for -> the raw figures: {native,
 * nativeCpuOverWall, nodeFma, nodeSimd, nodeScalar, chrome (by job name), jaxjsRun,
 * threadsAb, fast, pytorch}; a peer that fails leaves its figure null and says why.
 */
export async function measure(settings) {
  const {models, batch, seconds, tfjsBackends, tfjsCap, jaxjsBackends, jaxjsCap, heapBatches, latencyCalls} = settings;
  const {abRounds, withJaxjs, withThreads, withFast, fastSeeds, withPytorch, python, haveTfjs} = settings;
  const benchArgs = ['--batch', String(batch), ...models];
  console.log(`bench: ${models.join(', ')} at batch ${batch} on ${os.cpus()[0].model}, ${os.cpus().length} cores`);
  const nativeRun = runJson(path.join(root, 'build/native/mnist-bench'), benchArgs);
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
  const nodeScalar = runJson(process.execPath, [
    path.join(root, 'build/wasm-scalar/mnist-bench.cjs'),
    ...benchArgs,
  ]).json;
  console.log('bench: wasm scalar in node done');

  const q = (o) => new URLSearchParams(o).toString();
  const jobs = [SHIPPED, 'wasm', 'wasm-scalar'].map((build) => ({
    name: build,
    query: q({build, models, batch, seconds}),
  }));
  // SIMD vs scalar on cnn, the two builds taking turns window by window so that
  // load from elsewhere on this shared machine hits both alike (simd-ab-page.js).
  jobs.push({
    name: 'simd-ab',
    html: 'simd-ab.html',
    query: q({model: 'cnn', batch, window: Math.max(2, seconds), rounds: abRounds, builds: `${SHIPPED},wasm-scalar`}),
  });
  jobs.push({
    name: 'latency',
    query: q({task: 'latency', build: SHIPPED, models: LATENCY_MODELS, calls: latencyCalls}),
  });
  jobs.push({name: 'heap', query: q({task: 'heap', build: SHIPPED, models: 'cnn', batch, batches: heapBatches})});
  if (haveTfjs) {
    for (const backend of tfjsBackends) {
      jobs.push({
        name: `tfjs-${backend}`,
        query: q({task: 'tfjs', backend, build: SHIPPED, models, batch, seconds, cap: tfjsCap}),
      });
    }
  } else {
    console.log('bench: TensorFlow.js is not installed in bench/tfjs (scripts/bench.sh installs it): no peer figures');
  }
  const chrome = await inChromium(jobs);

  // The second peer, jax-js, in one page of the same Chromium: each model between
  // two runs of ours on the page's build (bench/jaxjs.mjs).
  let jaxjsRun = null;
  if (withJaxjs) {
    if (!jaxjsVersion()) {
      console.log('bench: jax-js is not installed in bench/jaxjs (scripts/bench.sh installs it): no figures for it');
    } else {
      try {
        jaxjsRun = await measureJaxjs({models, backends: jaxjsBackends, batch, seconds, cap: jaxjsCap, build: SHIPPED});
        console.log('bench: jax-js done');
      } catch (e) {
        console.log(`bench: jax-js failed: ${e.message}`);
      }
    }
  }

  // The pthreads build with fused multiply-adds at 2 threads against the
  // single-thread build with them (and the plain-SIMD pair), taking turns window
  // by window in a cross-origin isolated page; natively 2 threads against 1
  // (mnist-bench --threads 2, alternating windows too) in threadsAb.native.
  let threadsAb = null;
  if (withThreads) {
    try {
      threadsAb = await measureThreads({models, batch, window: Math.max(2, seconds), rounds: abRounds});
      threadsAb.native = runJson(path.join(root, 'build/native/mnist-bench'), ['--threads', '2', ...benchArgs]).json;
      console.log('bench: threads speed-up done');
    } catch (e) {
      console.log(`bench: threads speed-up failed: ${e.message}`);
    }
  }

  // The speedruns: each speed preset trained in the built page, one worker, seeds 1..N.
  let fast = null;
  if (withFast) {
    fast = {};
    for (const [model, n] of [
      ['fast', fastSeeds],
      ['minute', Math.min(fastSeeds, 3)],
    ]) {
      try {
        const runs = await measureFast({model, seeds: n});
        fast[model] = {runs, summary: summarise(runs)};
        console.log(`bench: ${model} preset in the page done`);
      } catch (e) {
        console.log(`bench: ${model} preset failed: ${e.message}`);
      }
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
        const ours = await nativeSampled(m, batch);
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

  const native = nativeRun.json;
  const nativeCpuOverWall = nativeRun.cpuSeconds == null ? null : nativeRun.cpuSeconds / nativeRun.wallSeconds;
  return {native, nativeCpuOverWall, nodeFma, nodeSimd, nodeScalar, chrome, jaxjsRun, threadsAb, fast, pytorch};
}
