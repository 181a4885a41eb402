// Which build of the core a model worker runs. A cross-origin isolated page (COOP/COEP,
// as npm start serves it) runs the pthreads build; any other page, and every worker
// restarted after a crash, the single-thread build, compiled once for all of them
// (engine/compile.js picks the variant with fused multiply-adds where it validates).
import plainWasmUrl from '../wasm/mnist_lab.wasm?url';
import fmaWasmUrl from '../wasm/mnist_lab-fma.wasm?url';
import {compileBestCore} from '../engine/compile.js';

/** Both single-thread builds, as absolute URLs a worker can fetch. */
const wasmUrls = () => ({
  fma: new URL(fmaWasmUrl, location.href).href,
  plain: new URL(plainWasmUrl, location.href).href,
});

let compiled = null;

/** The single-thread core for a WorkerClient: {module}, compiled on first use, once per page. */
export function singleThreadCore() {
  if (!compiled) {
    compiled = compileBestCore(wasmUrls());
    compiled.catch(() => {});
  }
  return {module: compiled};
}

/**
 * The core a fresh worker should run for the site at `root`: the pthreads build when
 * this page may run it ({threaded: {url, threads}, wasmUrls}, the single-thread URLs to
 * fall back to), else the single-thread one. The pthreads build needs SharedArrayBuffer,
 * which a browser gives only to a cross-origin isolated page; a plain static host or a
 * blog embedding the lab gets the single-thread build.
 */
export function bestCore(root) {
  const threads = Math.min(navigator.hardwareConcurrency || 1, 4);
  if (!globalThis.crossOriginIsolated || typeof SharedArrayBuffer !== 'function' || threads < 2) {
    return singleThreadCore();
  }
  return {threaded: {url: new URL('wasm-mt/mnist_lab.mjs', root).href, threads}, wasmUrls: wasmUrls()};
}
