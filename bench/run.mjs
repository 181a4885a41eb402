// npm run bench: training speed of mlp, cnn and lenet5 in one run, side by side:
// (a) native, (b) wasm+SIMD in node, (c) wasm+SIMD in headless Chromium inside a
// module worker, (d) wasm without SIMD (node and Chromium), plus the f32x4
// multiply-add peak, GEMM and convolution FLOP rates measured in the same run.
// Prints the ratios and writes bench/results/latest.json.
import {execFileSync, spawn} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {launchChromium} from '../scripts/chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const models = (process.env.BENCH_MODELS || 'mlp,cnn,lenet5').split(',');
const batch = Number(process.env.BENCH_BATCH || 64);
const seconds = Number(process.env.BENCH_SECONDS || 4);

function runJson(cmd, args) {
  const out = execFileSync(cmd, args, {cwd: root, encoding: 'utf8', maxBuffer: 1 << 24});
  return JSON.parse(out.trim().split('\n').pop());
}

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const {port} = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function inChromium(builds) {
  const port = await freePort();
  const server = spawn(process.execPath, [path.join(root, 'scripts/serve.mjs'), '--dir', root, '--port', String(port)],
    {stdio: ['ignore', 'pipe', 'inherit']});
  await new Promise((resolve) => server.stdout.once('data', resolve));
  const browser = await launchChromium();
  const results = {};
  try {
    for (const build of builds) {
      const page = await browser.context.newPage();
      const q = `build=${build}&models=${models.join(',')}&batch=${batch}&seconds=${seconds}`;
      await page.goto(`http://127.0.0.1:${port}/bench/browser/bench.html?${q}`);
      await page.waitForFunction(() => window.benchResult, null, {timeout: 600_000, polling: 500});
      const r = await page.evaluate(() => window.benchResult);
      if (r.error) throw new Error(`chromium ${build}: ${r.error}`);
      results[build] = r;
      await page.close();
    }
  } finally {
    await browser.close();
    server.kill();
  }
  return results;
}

const benchArgs = ['--batch', String(batch), ...models];
console.log(`bench: ${models.join(', ')} at batch ${batch} on ${os.cpus()[0].model}, ${os.cpus().length} cores`);
const native = runJson(path.join(root, 'build/native/mnist-bench'), benchArgs);
console.log('bench: native done');
const nodeSimd = runJson(process.execPath, [path.join(root, 'build/wasm/mnist-bench.cjs'), ...benchArgs]);
console.log('bench: wasm+SIMD in node done');
const nodeScalar = runJson(process.execPath, [path.join(root, 'build/wasm-scalar/mnist-bench.cjs'), ...benchArgs]);
console.log('bench: wasm scalar in node done');
const chrome = await inChromium(['wasm', 'wasm-scalar']);
console.log('bench: Chromium done');

const rows = models.map((m) => ({
  model: m,
  native: native.train_samples_per_second[m],
  node_simd: nodeSimd.train_samples_per_second[m],
  node_scalar: nodeScalar.train_samples_per_second[m],
  chromium_simd: chrome.wasm.train_samples_per_second[m],
  chromium_scalar: chrome['wasm-scalar'].train_samples_per_second[m],
}));
const fmt = (x) => x.toFixed(0).padStart(9);
const ratio = (a, b) => (a / b).toFixed(2).padStart(7);
console.log('\ntraining samples/s (batch ' + batch + ')');
console.log('model      native  node+SIMD node-scalar chrome+SIMD chrome-scalar | chrome/native  SIMD/scalar(chrome)');
for (const r of rows) {
  console.log(`${r.model.padEnd(8)}${fmt(r.native)}${fmt(r.node_simd)}${fmt(r.node_scalar)}  ${fmt(r.chromium_simd)}  ${fmt(r.chromium_scalar)}   | ${ratio(r.chromium_simd, r.native)}       ${ratio(r.chromium_simd, r.chromium_scalar)}`);
}
const kernels = [['native', native], ['wasm+SIMD (node)', nodeSimd], ['wasm scalar (node)', nodeScalar]];
console.log('\nkernels (GFLOP/s)     peak 4-wide mul+add   GEMM 128x784x512   conv fwd+bwd   GEMM/peak  conv/peak');
for (const [name, k] of kernels) {
  console.log(`${name.padEnd(22)}${k.peak_gflops.toFixed(1).padStart(10)}${k.gemm_128x784x512_gflops.toFixed(1).padStart(19)}${k.conv_fwd_bwd_gflops.toFixed(1).padStart(15)}${(100 * k.gemm_128x784x512_gflops / k.peak_gflops).toFixed(0).padStart(11)}%${(100 * k.conv_fwd_bwd_gflops / k.peak_gflops).toFixed(0).padStart(9)}%`);
}
const cnn = rows.find((r) => r.model === 'cnn');
if (cnn) console.log(`\ncnn: SIMD build ${ratio(cnn.chromium_simd, cnn.chromium_scalar).trim()}x the scalar build in Chromium (goal >= 3x)`);

const result = {
  date: new Date().toISOString(), machine: {cpu: os.cpus()[0].model, cores: os.cpus().length, node: process.version},
  batch, models, native, node_simd: nodeSimd, node_scalar: nodeScalar, chromium: chrome, rows,
};
fs.mkdirSync(path.join(root, 'bench/results'), {recursive: true});
fs.writeFileSync(path.join(root, 'bench/results/latest.json'), JSON.stringify(result, null, 2) + '\n');
fs.writeFileSync(path.join(root, 'BENCHMARKS.md'), markdown(result));
console.log('bench: wrote bench/results/latest.json and BENCHMARKS.md');

function markdown(r) {
  const n = (x) => Math.round(x).toLocaleString('en');
  const g = (x) => x.toFixed(1);
  let md = `# Benchmarks\n\nLatest figures from \`npm run bench\` (bench/run.mjs), ${r.date.slice(0, 16).replace('T', ' ')} UTC, `;
  md += `on ${r.machine.cpu}, ${r.machine.cores} cores (shared and noisy: compare the ratios, which are measured side by side in one run), `;
  md += `node ${r.machine.node}, ${r.chromium.wasm.userAgent.match(/Chrome\/[\d.]+/)?.[0] || 'Chromium'} headless. `;
  md += `Training on synthetic 28×28 data, batch ${r.batch}, one thread, after a warm-up. Raw numbers: bench/results/latest.json.\n\n`;
  md += '## Training samples/s\n\n| model | native | wasm+SIMD (node) | wasm scalar (node) | wasm+SIMD (Chromium worker) | wasm scalar (Chromium worker) | Chromium / native | SIMD / scalar (Chromium) |\n|---|---|---|---|---|---|---|---|\n';
  for (const row of r.rows) {
    md += `| ${row.model} | ${n(row.native)} | ${n(row.node_simd)} | ${n(row.node_scalar)} | ${n(row.chromium_simd)} | ${n(row.chromium_scalar)} | ${(row.chromium_simd / row.native).toFixed(2)} | ${(row.chromium_simd / row.chromium_scalar).toFixed(2)}× |\n`;
  }
  md += '\n## Kernels (GFLOP/s, one core)\n\n| build | 4-wide multiply-add peak | GEMM 128×784×512 | conv 32→64 3×3 fwd+bwd | GEMM / peak | conv / peak |\n|---|---|---|---|---|---|\n';
  for (const [name, k] of [['native', r.native], ['wasm+SIMD (node)', r.node_simd], ['wasm scalar (node)', r.node_scalar]]) {
    md += `| ${name} | ${g(k.peak_gflops)} | ${g(k.gemm_128x784x512_gflops)} | ${g(k.conv_fwd_bwd_gflops)} | ${(100 * k.gemm_128x784x512_gflops / k.peak_gflops).toFixed(0)}% | ${(100 * k.conv_fwd_bwd_gflops / k.peak_gflops).toFixed(0)}% |\n`;
  }
  md += `\nThe native peak is the same 4-wide vector loop compiled for this CPU (the compiler may widen it); the native build's Eigen reports: ${r.native.eigen_simd}.\n`;
  return md;
}
