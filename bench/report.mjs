// npm run bench, step three: the report. Prints a run's figures and goals and
// renders BENCHMARKS.md, both from the result object run.mjs writes to
// bench/results/latest.json, so `node bench/report.mjs [latest.json]` re-renders
// BENCHMARKS.md from a saved run without measuring anything.
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {heapWhat} from './goals.mjs';
import {SHIPPED} from './measure.mjs';

const n0 = (x) => Math.round(x).toLocaleString('en');
const fmt = (x) => x.toFixed(0).padStart(9);
const ratio = (a, b) => (a / b).toFixed(2).padStart(7);
// TF.js samples/s and ours / TF.js, ours measured just before and after it.
const peerCell = (fig) =>
  !fig
    ? 'not run'
    : fig.samples_per_second
      ? `${n0(fig.samples_per_second)}; ours ${(fig.ours / fig.samples_per_second).toFixed(1)}×`
      : fig.cannot_train
        ? 'cannot train'
        : 'unavailable';
const cell = (g) =>
  g.value == null
    ? 'n/a'
    : g.unit === '×'
      ? `${g.value.toFixed(g.value < 10 ? 2 : 1)}×`
      : g.unit === '%'
        ? `${g.value.toFixed(g.target > 90 ? 2 : 0)}%`
        : g.unit === 'ms'
          ? `${g.value.toFixed(2)} ms`
          : g.unit === 's'
            ? `${g.value.toFixed(g.value < 10 ? 2 : 1)} s`
            : `${g.value.toFixed(0)} MB`;
const targetCell = (g) =>
  g.target == null
    ? 'report'
    : `${g.at_most ? '≤' : '≥'} ${g.target}${g.unit === '×' || g.unit === '%' ? g.unit : ` ${g.unit}`}`;
const metCell = (g) => (g.target == null ? 'reported' : g.met == null ? 'n/a' : g.met ? 'met' : 'NOT MET');

/** Prints a peer's table ({model: {backend: figures}}) under `title`, each backend's notes (notes(run)) under it. */
function printPeer({rows, models}, title, prefix, runs, table, notes = () => []) {
  const backends = Object.keys(runs);
  console.log(`\n${title}`);
  console.log(`model   ours(chrome+FMA)  ${backends.map((b) => `${prefix}-${b}`.padStart(22)).join('')}`);
  for (const row of rows) {
    console.log(
      `${row.model.padEnd(8)}${fmt(row.chromium_fma).padStart(17)} ${backends.map((b) => peerCell(table[row.model][b]).padStart(22)).join('')}`,
    );
  }
  for (const [b, run] of Object.entries(runs)) {
    const lines = [
      run.unavailable && `unavailable: ${run.unavailable}`,
      ...notes(run),
      ...models.filter((m) => table[m][b]?.cannot_train).map((m) => `${m}: ${table[m][b].cannot_train}`),
    ].filter(Boolean);
    if (lines.length) console.log(`  ${prefix}-${b}: ${lines.join('; ')}`);
  }
}

/** Prints a run's tables and its goals to the console. */
export function print(r) {
  console.log(`\ntraining samples/s (batch ${r.batch})`);
  console.log(
    'model      native   node+FMA  node+SIMD node-scalar chrome+FMA chrome+SIMD chrome-scalar | chrome/native  FMA/scalar SIMD/scalar(chrome)',
  );
  for (const row of r.rows) {
    console.log(
      `${row.model.padEnd(8)}${fmt(row.native)}${fmt(row.node_fma)}${fmt(row.node_simd)}${fmt(row.node_scalar)}  ${fmt(row.chromium_fma)}  ${fmt(row.chromium_simd)}  ${fmt(row.chromium_scalar)}   | ${ratio(row.chromium_fma, row.native)}       ${ratio(row.chromium_fma, row.chromium_scalar)}  ${ratio(row.chromium_simd, row.chromium_scalar)}`,
    );
  }
  const kernels = [
    ['native', r.native],
    ['wasm+SIMD+FMA (node)', r.node_fma],
    ['wasm+SIMD (node)', r.node_simd],
    ['wasm scalar (node)', r.node_scalar],
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

  const tfjsBackends = Object.keys(r.tfjs[r.models[0]] || {});
  if (tfjsBackends.length) {
    printPeer(
      r,
      `TensorFlow.js ${r.chromium[`tfjs-${tfjsBackends[0]}`].tfjs} in a Chromium worker, training samples/s (batch ${r.batch})`,
      'tfjs',
      Object.fromEntries(tfjsBackends.map((b) => [b, r.chromium[`tfjs-${b}`]])),
      r.tfjs,
      (r) => [
        r.renderer,
        r.wasm_simd != null && `SIMD ${r.wasm_simd ? 'on' : 'off'}, threads ${r.wasm_threads ? 'on' : 'off'}`,
      ],
    );
  }
  if (r.jaxjs_run) {
    printPeer(
      r,
      `jax-js ${r.jaxjs_run.jaxjs} in a Chromium worker, training samples/s (batch ${r.batch}; jit compilation not timed)`,
      'jax-js',
      r.jaxjs_run.backends,
      r.jaxjs,
      (r) => [r.renderer, r.backend === 'wasm' && `threads ${r.threads ? 'on' : 'off'}`],
    );
  }
  if (r.pytorch) {
    console.log(
      `\nPyTorch ${r.pytorch.torch} CPU, ${r.pytorch.threads} thread vs ours native, back to back, training samples per CPU-second`,
    );
    for (const row of r.rows) {
      const p = r.pytorch.train[row.model];
      if (!p) continue;
      console.log(
        `${row.model.padEnd(8)} pytorch ${fmt(p.per_cpu_second)}   native ${fmt(p.native.per_cpu_second)} ` +
          `(wall ${n0(p.native.per_wall_second)} at ${p.native.cpu_over_wall.toFixed(2)} CPU/wall)   native/pytorch ` +
          `${ratio(p.native.per_cpu_second, p.per_cpu_second)} (wall ${ratio(p.native.per_wall_second, p.per_cpu_second).trim()})`,
      );
    }
  }
  console.log(
    `\nlatency (Chromium, ${r.latency.calls} drawing-pad predictions with all activations, after ${r.latency.warmup} warm-up)`,
  );
  for (const [m, l] of Object.entries(r.latency.models)) {
    console.log(
      `${m.padEnd(8)} round trip median ${l.round_trip.median_ms.toFixed(2)} ms, p95 ${l.round_trip.p95_ms.toFixed(2)} ms; in the worker median ${l.in_worker.median_ms.toFixed(2)} ms, p95 ${l.in_worker.p95_ms.toFixed(2)} ms`,
    );
  }
  console.log(
    `heap (Chromium, cnn, ${heapWhat(r.heap)} on ${r.heap.train_count} digits at ${n0(r.heap.samples_per_second)} samples/s): ` +
      Object.entries(r.heap.heap_mb)
        .map(([k, v]) => `${k} ${v.toFixed(0)} MB`)
        .join(', '),
  );

  console.log('\nspeed goals');
  for (const g of r.goals) {
    console.log(
      `${g.goal.padEnd(66)}${cell(g).padStart(10)}  goal ${targetCell(g).padEnd(9)} ${metCell(g).padEnd(8)} ${g.detail}`,
    );
  }
}

export function markdown(r) {
  const {seconds, tfjs_cap: tfjsCap} = r.settings;
  const n = (x) => Math.round(x).toLocaleString('en');
  const g = (x) => x.toFixed(1);
  const table = (head, lines) =>
    `| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|\n` +
    lines.map((l) => `| ${l.join(' | ')} |\n`).join('');
  let md = `# Benchmarks\n\nLatest figures from \`${r.command}\` (what \`npm run bench\` runs after building), `;
  md += `${r.date.slice(0, 16).replace('T', ' ')} UTC, `;
  md += `on ${r.machine.cpu}, ${r.machine.cores} cores (shared and noisy, load average ${r.machine.load_average[0].toFixed(1)} at the end: compare the ratios, which are measured side by side in one run), `;
  md += `node ${r.machine.node}, ${r.chromium[SHIPPED].userAgent.match(/Chrome\/[\d.]+/)?.[0] || 'Chromium'} headless. `;
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
  md += `Wasm memory (MB) training \`cnn\` on the full set, ${heapWhat(r.heap)} (${n(r.heap.samples_per_second)} samples/s with augmentation), `;
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
  const {seconds, jaxjs_cap: jaxjsCap} = r.settings;
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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const file = process.argv[2] || path.join(root, 'bench/results/latest.json');
  fs.writeFileSync(path.join(root, 'BENCHMARKS.md'), markdown(JSON.parse(fs.readFileSync(file, 'utf8'))));
  console.log(`bench: wrote BENCHMARKS.md from ${path.relative(root, file)}`);
}
