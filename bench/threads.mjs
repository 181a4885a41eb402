// The 2-core speed-up of the pthreads build in Chromium: for each model, the
// pthreads build with fused multiply-adds at N threads against the best
// single-thread build this browser runs (the one with fused multiply-adds),
// training on synthetic digits in a cross-origin isolated page
// (bench/browser/threads-ab.html, served by scripts/serve.mjs --isolate), the
// builds taking turns window by window; beside it the plain-SIMD pair a browser
// without relaxed SIMD chooses between.
//
//   node bench/threads.mjs [--models cnn,mlp,lenet5] [--threads 2] [--batch 64]
//                          [--window 2] [--rounds 6] [--json]
// prints one line per model (samples/s medians and the ratios), or with --json one
// JSON object: {threads, batch, models: {cnn: {...threads-ab result}, ...}}.
// Needs build/wasm, build/wasm-fma, build/wasm-mt and build/wasm-mt-fma (npm run build).
//
// From another script: import {measureThreads} from './threads.mjs';
//   await measureThreads({models: ['cnn'], threads: 2}) -> the same object.
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {readArgs} from './args.mjs';
import {withServedChromium} from './served.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * {models, threads, batch, window (s), rounds, warm (s)} -> {threads, batch, models: {name: result}},
 * each result as bench/browser/threads-ab-page.js returns it: *_windows, *_median (samples/s)
 * for single / threaded / threaded_1 / plain_single / plain_threaded, speedup =
 * threaded_median / single_median and speedup_plain = plain_threaded_median / plain_single_median.
 */
export async function measureThreads({
  models = ['cnn', 'mlp', 'lenet5'],
  threads = 2,
  batch = 64,
  window = 2,
  rounds = 6,
  warm = 4,
  log = () => {},
} = {}) {
  for (const build of ['wasm', 'wasm-fma', 'wasm-mt', 'wasm-mt-fma']) {
    if (!fs.existsSync(path.join(root, 'build', build, 'mnist_lab.mjs')))
      throw new Error(`build/${build} is missing: npm run build`);
  }
  const out = {threads, batch, models: {}};
  await withServedChromium({dir: root, isolate: true}, async ({url, context}) => {
    for (const model of models) {
      const page = await context.newPage();
      const q = new URLSearchParams({model, batch, threads, window, rounds, warm});
      await page.goto(`${url}bench/browser/threads-ab.html?${q}`);
      await page.waitForFunction(() => window.benchResult, null, {timeout: 900_000, polling: 500});
      const r = await page.evaluate(() => window.benchResult);
      await page.close();
      if (r.error) throw new Error(`threads-ab ${model}: ${r.error}`);
      out.models[model] = r;
      log(r);
    }
  });
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = readArgs('threads', ['models', 'threads', 'batch', 'window', 'rounds'], ['json']);
  const json = args.flag('json');
  const fmt = (x) => Math.round(x).toLocaleString('en-US');
  measureThreads({
    models: args.text('models', 'cnn,mlp,lenet5').split(','),
    threads: args.number('threads', 2, {min: 2, max: 16, whole: true}),
    batch: args.number('batch', 64, {min: 1, max: 4096, whole: true}),
    window: args.number('window', 2, {min: 0.1}),
    rounds: args.number('rounds', 6, {min: 1, max: 100, whole: true}),
    log: json
      ? () => {}
      : (r) =>
          console.log(
            `${r.model.padEnd(7)} FMA: single ${fmt(r.single_median)}/s  ${r.threads} threads ` +
              `${fmt(r.threaded_median)}/s  speed-up ${r.speedup.toFixed(2)}x  (pthreads at 1 thread ${fmt(r.threaded_1_median)}/s)` +
              `  plain SIMD: ${fmt(r.plain_single_median)}/s vs ${fmt(r.plain_threaded_median)}/s, ${r.speedup_plain.toFixed(2)}x` +
              `  pure arithmetic ${r.host_speedup.toFixed(2)}x`,
          ),
  }).then(
    (r) => {
      if (json) console.log(JSON.stringify(r));
    },
    (e) => {
      console.error(`bench/threads: ${e.message}`);
      process.exit(1);
    },
  );
}
