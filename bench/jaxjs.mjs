// The second in-browser peer, jax-js (bench/jaxjs: its own package, installed
// on demand by scripts/bench.sh): our presets trained by jax-js on each of its
// devices in a module worker of headless Chromium, each model between two runs
// of our core in the same page (bench/jaxjs/page.js), so each ratio is measured
// side by side. Same synthetic data, batch, Adam and softmax cross-entropy as
// ours and TF.js; jax-js's jit compilation is in its warm-up, never timed.
//
//   node bench/jaxjs.mjs [--models mlp,cnn,lenet5] [--backends wasm,webgpu] [--batch 64]
//                        [--seconds 4] [--cap 45] [--build wasm-fma] [--json]
// prints one line per model (samples/s per device, ours, ours / jax-js), or with
// --json the object measureJaxjs returns.
//
// From another script: import {measureJaxjs, jaxjsVersion} from './jaxjs.mjs';
//   await measureJaxjs({models: ['mlp']}) -> {jaxjs, build, batch, seconds, userAgent,
//   backends: {wasm: {threads, models: {mlp: {samples_per_second, ...} | {error}},
//   ours: {mlp}, ours_before_after: {mlp: [before, after]}} | {unavailable}}}
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

import {chromiumArgs} from '../scripts/chromium.mjs';
import {withServedChromium} from './served.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = path.join(root, 'bench/jaxjs/node_modules/@jax-js/jax/package.json');

/** The installed jax-js version, or null when bench/jaxjs has not been installed. */
export function jaxjsVersion() {
  return fs.existsSync(pkg) ? JSON.parse(fs.readFileSync(pkg, 'utf8')).version : null;
}

/** {models, backends, batch, seconds (timed per run), warm (s), cap (most timed s), build} -> see above */
export async function measureJaxjs({
  models = ['mlp', 'cnn', 'lenet5'],
  backends = ['wasm', 'webgpu'],
  batch = 64,
  seconds = 4,
  warm = 1.5,
  cap = 45,
  build = 'wasm-fma',
} = {}) {
  const jaxjs = jaxjsVersion();
  if (!jaxjs) throw new Error('jax-js is not installed in bench/jaxjs (scripts/bench.sh installs it)');
  if (!fs.existsSync(path.join(root, 'build', build, 'mnist_lab.mjs')))
    throw new Error(`build/${build} is missing: npm run build`);
  // The same Chromium and flags as the TF.js runs (WebGL on SwiftShader, as there is no GPU).
  const launch = {args: [...chromiumArgs, '--enable-unsafe-swiftshader']};
  return withServedChromium({dir: root, launch}, async ({url, context}) => {
    const page = await context.newPage();
    const q = new URLSearchParams({models, backends, batch, seconds, warm, cap, build});
    await page.goto(`${url}bench/jaxjs/bench.html?${q}`);
    await page.waitForFunction(() => window.benchResult, null, {timeout: 900_000, polling: 500});
    const r = await page.evaluate(() => window.benchResult);
    await page.close();
    if (r.error) throw new Error(`jax-js in Chromium: ${r.error}`);
    return {jaxjs, models, ...r};
  });
}

/** A table cell: jax-js samples/s and ours / jax-js, or why there is none. */
function jaxjsCell(device, model) {
  const fig = device.models?.[model];
  if (device.unavailable) return 'unavailable';
  if (!fig) return 'not run';
  if (fig.error) return 'cannot train';
  return `${Math.round(fig.samples_per_second).toLocaleString('en')}; ours ${(device.ours[model] / fig.samples_per_second).toFixed(1)}×`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const r = await measureJaxjs({
    models: arg('models', 'mlp,cnn,lenet5').split(','),
    backends: arg('backends', 'wasm,webgpu').split(','),
    batch: Number(arg('batch', 64)),
    seconds: Number(arg('seconds', 4)),
    cap: Number(arg('cap', 45)),
    build: arg('build', 'wasm-fma'),
  });
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(r, null, 2));
  } else {
    const names = Object.keys(r.backends);
    console.log(`jax-js ${r.jaxjs} vs ours (${r.build}) in a Chromium worker, training samples/s (batch ${r.batch})`);
    for (const m of r.models ?? arg('models', 'mlp,cnn,lenet5').split(',')) {
      console.log(`${m.padEnd(8)}${names.map((b) => `jax-js ${b}: ${jaxjsCell(r.backends[b], m)}`).join('   ')}`);
    }
    for (const [b, d] of Object.entries(r.backends)) {
      const errors = Object.entries(d.models || {})
        .filter(([, f]) => f.error)
        .map(([m, f]) => `${m}: ${f.error}`);
      const notes = [d.unavailable && `unavailable: ${d.unavailable}`, ...errors].filter(Boolean);
      if (notes.length) console.log(`  jax-js ${b}: ${notes.join('; ')}`);
    }
  }
}
