// The jax-js peer of bench/browser/bench-worker.js, in a module worker (jax-js
// is ESM): trains our presets (train.js) at the batch size asked, on one jax-js
// device: wasm, webgpu, webgl or cpu. Served from this folder's node_modules
// (npm install here), so the page needs no network beyond the local server.
// Message: {backend, models, batch, seconds, warmSeconds, capSeconds}.
// Replies {backend, batch, userAgent, threads, renderer (webgl), models: {name: {samples_per_second,
// batches, seconds, first_step_seconds, params, loss} | {error}}}, or
// {backend, ..., unavailable: why} when the device cannot start here.
import {defaultDevice, init} from './node_modules/@jax-js/jax/dist/index.js';

import {trainModel} from './train.js';

/** The WebGL renderer's name (SwiftShader where there is no GPU). */
function webglRenderer() {
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  const info = gl?.getExtension('WEBGL_debug_renderer_info');
  return gl?.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
}

/** Why jax-js's init() left `backend` out: the checks it makes, as it makes them (it says nothing itself). */
async function whyUnavailable(backend) {
  if (backend === 'webgpu') {
    if (!navigator.gpu) return 'navigator.gpu is undefined: no WebGPU in this browser';
    const adapter = await navigator.gpu.requestAdapter({powerPreference: 'high-performance'}).catch((e) => e);
    if (!adapter) return 'navigator.gpu.requestAdapter() returned null: no WebGPU adapter';
    if (adapter instanceof Error) return `navigator.gpu.requestAdapter() failed: ${adapter.message}`;
  }
  if (backend === 'webgl' && !webglRenderer()) return 'OffscreenCanvas.getContext("webgl2") returned null: no WebGL2';
  return `jax-js init('${backend}') did not start it`;
}

self.onmessage = async ({data: cfg}) => {
  const result = {
    backend: cfg.backend,
    batch: cfg.batch,
    userAgent: navigator.userAgent,
    // jax-js's wasm device starts a pool of worker threads where SharedArrayBuffer and
    // Worker exist (its own test); a page that is not cross-origin isolated has no SharedArrayBuffer.
    threads: typeof SharedArrayBuffer !== 'undefined' && typeof Worker !== 'undefined',
    models: {},
  };
  try {
    const started = await init(cfg.backend);
    if (!started.includes(cfg.backend)) throw new Error(await whyUnavailable(cfg.backend));
    defaultDevice(cfg.backend);
    if (cfg.backend === 'webgl') result.renderer = webglRenderer();
  } catch (e) {
    self.postMessage({...result, unavailable: String(e?.message || e)});
    return;
  }
  for (const name of cfg.models) {
    try {
      result.models[name] = await trainModel(name, cfg);
    } catch (e) {
      result.models[name] = {error: String(e?.message || e)};
    }
  }
  self.postMessage(result);
};
