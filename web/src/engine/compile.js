// Downloads and compiles the single-thread core (a WebAssembly.Module can be
// posted to workers, so a page compiles it once for all of them). Throws an
// Error whose message a reader can act on.
export function compileCore(url) {
  const what = 'The neural-network engine (WebAssembly) could not be downloaded';
  return fetch(url)
    .catch(() => {
      throw new Error(`${what}: the network request failed.`);
    })
    .then((res) => {
      if (!res.ok) throw new Error(`${what}: the server answered ${res.status}.`);
      return res.arrayBuffer();
    })
    .then((bytes) => WebAssembly.compile(bytes));
}

/**
 * A wasm module with one function () -> v128 whose body (instructions, without the
 * final `end`) is given, and no locals.
 * @param {number[]} body
 */
export function v128Module(body) {
  const code = [0x00, ...body, 0x0b]; // no locals, body, end
  // biome-ignore format: the bytes are grouped by section
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: [] -> [v128]
    0x03, 0x02, 0x01, 0x00, // one function of that type
    0x0a, code.length + 2, 0x01, code.length, ...code, // code: one body
  ]);
}

/** v128.const 0 */
export const V128_ZERO = [0xfd, 0x0c, ...new Array(16).fill(0)];

// The smallest module using f32x4.relaxed_madd: () -> v128 of three zero vectors.
const RELAXED_SIMD_PROBE = v128Module([...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 0x02]);

/** Whether this browser validates relaxed SIMD (its fused multiply-add). */
export const hasRelaxedSimd = () => WebAssembly.validate(RELAXED_SIMD_PROBE);

/**
 * The engine a model worker runs: {threads, fma}. threads > 1 is the pthreads build, which needs
 * a cross-origin isolated page (SharedArrayBuffer) and at least two cores, and takes min(cores, 4);
 * with one core it could only lose to the single-thread build. On 2 threads the pthreads build
 * trains mlp, cnn and lenet5 1.8-1.9x as fast as the single-thread one (bench/threads.mjs; a
 * dense network's products are split between the threads, a convolutional one's batch). While
 * two runs train at once each worker uses its share of the threads (model/training.js), so the
 * threads never outnumber the cores.
 * fma: the build with fused multiply-adds, single-thread or pthreads alike, wherever the browser
 * validates relaxed SIMD, so the pthreads build is never set against a faster kernel.
 * @param {{isolated: boolean, cores: number, relaxedSimd: boolean}} browser
 * @returns {{threads: number, fma: boolean}}
 */
export function chooseEngine({isolated, cores, relaxedSimd}) {
  const threads = Math.min(Math.max(1, Math.floor(cores) || 1), 4);
  return {threads: isolated && threads >= 2 ? threads : 1, fma: relaxedSimd};
}

/**
 * The single-thread core this browser runs best, compiled: {fma, plain} are the URLs
 * of the build with fused multiply-adds and of plain SIMD (both on the same JS glue).
 * The fma build where the browser validates relaxed SIMD (Chrome 114+), falling back
 * to plain SIMD with a console warning if it does not load; plain SIMD elsewhere.
 */
export function compileBestCore({fma, plain}) {
  if (!hasRelaxedSimd()) return compileCore(plain);
  return compileCore(fma).catch((e) => {
    console.warn(`mnist-lab: the fused multiply-add engine did not load (${e.message || e}); using plain SIMD.`);
    return compileCore(plain);
  });
}
