// Which build of the core a model worker runs. A cross-origin isolated page (COOP/COEP,
// as npm start serves it) on two cores or more runs the pthreads build; any other page,
// and every worker restarted after a crash, the single-thread build, compiled once for
// all of them; either with fused multiply-adds where the browser validates them
// (engine/compile.js chooseEngine).
import plainWasmUrl from '../wasm/mnist_lab.wasm?url';
import fmaWasmUrl from '../wasm/mnist_lab-fma.wasm?url';
import {chooseEngine, compileBestCore, hasRelaxedSimd} from '../engine/compile.js';

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
 * The core a fresh worker should run for the site at `root` (engine/compile.js chooseEngine):
 * the pthreads build when this page may run it and has the cores for it ({threaded: {url, wasm,
 * threads}, wasmUrls}: its module script, its wasm with or without fused multiply-adds, and the
 * single-thread URLs to fall back to), else the single-thread one. The pthreads build needs
 * SharedArrayBuffer, which a browser gives only to a cross-origin isolated page; a plain static
 * host or a blog embedding the lab gets the single-thread build. While two runs train at once,
 * model/training.js shares the threads out between them.
 * @param {string} root
 */
export function bestCore(root) {
  const {threads, fma} = chooseEngine({
    isolated: globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function',
    cores: navigator.hardwareConcurrency,
    relaxedSimd: hasRelaxedSimd(),
  });
  if (threads === 1) return singleThreadCore();
  const wasm = new URL(`wasm-mt/mnist_lab${fma ? '-fma' : ''}.wasm`, root).href;
  return {threaded: {url: new URL('wasm-mt/mnist_lab.mjs', root).href, wasm, threads}, wasmUrls: wasmUrls()};
}
