// npm run bench, step two: the goals. Turns measure.mjs's raw figures into the
// table rows, each peer's figures per model and backend, and every speed goal with
// its target and whether it is met; report.mjs prints and writes them.
import {chooseEngine} from '../web/src/engine/compile.js';
import {LATENCY_MODELS, SHIPPED} from './measure.mjs';

const n0 = (x) => Math.round(x).toLocaleString('en');
/** What the heap figure trained: 'one epoch' or 'N batches'. */
export const heapWhat = (heap) => (heap.batches === heap.batches_per_epoch ? 'one epoch' : `${heap.batches} batches`);

// Each peer per model and backend: samples/s with ours measured just before and
// after it (`ours`), or why not ('cannot train', 'unavailable').
/** {backend: one run of the peer on it} -> {model: {backend: figures}} */
function peerTable(models, runs) {
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

// mlp (784-512-256-10) per training sample: the forward pass, the weight gradients
// and the input gradients of the two upper layers (the first layer's is never
// computed), 1,203,712 multiply-adds.
const MLP_TRAIN_FLOPS = 2 * (3 * (784 * 512 + 512 * 256 + 256 * 10) - 784 * 512);

/** What one thread could reach on mlp if every multiply-add ran at the f32x4 peak measured in this run. */
function peakBound(kernels, peer) {
  if (!kernels?.peak_gflops) return '';
  const most = (kernels.peak_gflops * 1e9) / MLP_TRAIN_FLOPS;
  return `; at the FMA build's f32x4 peak (${kernels.peak_gflops.toFixed(1)} GFLOP/s, node) one thread trains at most ${n0(most)} samples/s, ${(most / peer.samples_per_second).toFixed(1)}× jax-js`;
}

/**
 * The settings and raw figures -> {rows (samples/s per model and build), tfjs and
 * jaxjs ({model: {backend: figures}}), goals: [{goal, value, target, unit, detail,
 * at_most, met}]}.
 */
export function judge(settings, raw) {
  const {models, haveTfjs, tfjsBackends} = settings;
  const {native, nodeFma, nodeSimd, nodeScalar, chrome, jaxjsRun, threadsAb, fast, pytorch} = raw;
  const rows = models.map((m) => ({
    model: m,
    native: native.train_samples_per_second[m],
    node_fma: nodeFma.train_samples_per_second[m],
    node_simd: nodeSimd.train_samples_per_second[m],
    node_scalar: nodeScalar.train_samples_per_second[m],
    chromium_fma: chrome[SHIPPED].train_samples_per_second[m],
    chromium_simd: chrome.wasm.train_samples_per_second[m],
    chromium_scalar: chrome['wasm-scalar'].train_samples_per_second[m],
  }));

  const tfjs = peerTable(
    models,
    Object.fromEntries((haveTfjs ? tfjsBackends : []).map((b) => [b, chrome[`tfjs-${b}`]])),
  );
  const jaxjs = jaxjsRun ? peerTable(models, jaxjsRun.backends) : {};
  const heap = chrome.heap;
  const latency = chrome.latency;

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
        ? `${n0(peer.ours)} vs ${n0(peer.samples_per_second)} samples/s (jax-js ${peer.backend}; ours just before and after it)${m === 'mlp' ? peakBound(nodeFma, peer) : ''}`
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
  for (const m of LATENCY_MODELS) {
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
  // The speedruns: each speed preset in the built page, served as a plain static host (one
  // worker, the single-thread engine), one fresh page per seed (bench/fast.mjs).
  const seedsOf = (s) => `seed${s.seeds.length > 1 ? `s 1-${s.seeds.length}` : ' 1'}`;
  const pageRun = (s) =>
    `in the built page served as a plain static host (one worker, ${s.engine}); ${s.epochs} epoch${s.epochs > 1 ? 's' : ''}, ` +
    `batch ${s.batch}, ${n0(s.samples_per_second)} samples/s (median)`;
  const speed = fast?.fast?.summary;
  if (speed) {
    const of = `${seedsOf(speed)} (the goal: seeds 1-10)`;
    goal(`fast preset: mean test accuracy shown, ${of}`, speed.mean_accuracy, 99, '%', pageRun(speed));
    goal(
      `fast preset: lowest test accuracy of those seeds`,
      speed.min_accuracy,
      98.9,
      '%',
      `per seed: ${fast.fast.runs.map((r) => `${r.accuracy.toFixed(2)}%`).join(', ')}`,
    );
    goal(
      `fast preset: median seconds from pressing Train to that accuracy shown`,
      speed.median_seconds,
      3,
      's',
      `medians: ${speed.median_started.toFixed(2)} s to the first step (the MNIST download, inflating, the model), ` +
        `${speed.median_train_seconds.toFixed(1)} s of training (the page's own figure), ` +
        `${speed.median_evaluation.toFixed(2)} s for the 10,000-digit evaluation and showing it; ` +
        `per seed: ${fast.fast.runs.map((r) => `${r.seconds.toFixed(2)} s`).join(', ')}`,
      true,
    );
  }
  const accurate = fast?.minute?.summary;
  if (accurate) {
    const of = `${seedsOf(accurate)} (the goal: seeds 1-3)`;
    goal(`minute preset: mean test accuracy shown, ${of}`, accurate.mean_accuracy, 99.5, '%', pageRun(accurate));
    goal(
      'minute preset: the longest in-page training time of those seeds',
      Math.max(...fast.minute.runs.map((r) => r.train_seconds)),
      60,
      's',
      `the page's own training time; per seed: ${fast.minute.runs
        .map(
          (r) =>
            `${r.accuracy.toFixed(2)}% after ${r.train_seconds.toFixed(0)} s of training, ${r.seconds.toFixed(0)} s from Train`,
        )
        .join('; ')}`,
      true,
    );
  }
  if (threadsAb) {
    // Data-parallel training on 2 cores against the best single-thread build the same
    // browser runs (Chromium validates relaxed SIMD: the one with fused multiply-adds).
    const windows = (r) =>
      `medians of ${r.rounds} alternating ${r.window_seconds} s windows each in a cross-origin isolated page`;
    for (const [m, r] of Object.entries(threadsAb.models)) {
      goal(
        `${m} on ${r.threads} threads in Chromium: pthreads + FMA build / single-thread FMA build`,
        r.speedup,
        1.8,
        '×',
        `${windows(r)}: ${n0(r.threaded_median)} vs ${n0(r.single_median)} samples/s ` +
          `(pthreads + FMA build at 1 thread: ${n0(r.threaded_1_median)})` +
          (r.host_speedup
            ? `; pure arithmetic on ${r.threads} workers / 1, between those windows: ${r.host_speedup.toFixed(2)}× (what the host gave)`
            : ''),
      );
    }
    const native = threadsAb.native?.train_threads;
    for (const [m, r] of Object.entries(native || {})) {
      goal(
        `${m} on ${threadsAb.native.threads} threads natively: mnist-bench --threads ${threadsAb.native.threads} / 1 thread`,
        r.speedup,
        1.8,
        '×',
        `medians of 6 alternating 1 s windows on one trainer: ${n0(r.many)} vs ${n0(r.one)} samples/s` +
          (r.host_speedup
            ? `; pure arithmetic on the same threads, between those windows: ${r.host_speedup.toFixed(2)}× (what the host gave)`
            : ''),
      );
    }
    // What the isolated page runs for each model, as the page decides it (engine/compile.js
    // chooseEngine), with relaxed SIMD and without: where it picks threads, against the
    // single-thread build it would otherwise run.
    const threaded = (r, relaxedSimd) => chooseEngine({isolated: true, cores: r.cores, relaxedSimd}).threads > 1;
    const models = Object.values(threadsAb.models);
    const pairs = models.flatMap((r) =>
      [
        {relaxedSimd: true, what: `${r.model} FMA`, ratio: r.speedup},
        {relaxedSimd: false, what: `${r.model} plain SIMD`, ratio: r.speedup_plain},
      ].filter(({relaxedSimd}) => threaded(r, relaxedSimd)),
    );
    const single = models.filter((r) => !threaded(r, true)).map((r) => r.model);
    if (pairs.length) {
      const worst = pairs.reduce((a, b) => (b.ratio < a.ratio ? b : a));
      goal(
        'engine choice: the threaded engine the isolated page picks / the single-thread one it replaces, worst pair',
        worst.ratio,
        1,
        '×',
        `worst of ${pairs.map((p) => `${p.what} ${p.ratio.toFixed(2)}×`).join(', ')}` +
          (single.length ? `; ${single.join(', ')}: the page keeps one thread` : ''),
      );
    }
  }
  goal(
    'peak wasm heap, cnn on the full set',
    heap.peak_heap_mb,
    256,
    'MB',
    `60k+10k digits loaded, ${heapWhat(heap)} of batch ${heap.batch} with augmentation, then the full test set evaluated`,
    true,
  );
  return {rows, tfjs, jaxjs, goals};
}
