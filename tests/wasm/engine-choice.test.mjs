// Which engine a page runs (web/src/engine/compile.js chooseEngine), and the
// pthreads build with fused multiply-adds (build/wasm-mt-fma) that it picks in a
// cross-origin isolated page whose browser validates relaxed SIMD. The pthreads
// builds run only in a browser (their threads are Web Workers):
// tests/e2e/threads.test.mjs runs the page's; bench/threads.mjs measures both pairs.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import path from 'node:path';
import {describe, test} from 'node:test';

import {patchFma} from '../../scripts/wasm-fma-patch.mjs';
import {chooseEngine, V128_ZERO, v128Module} from '../../web/src/engine/compile.js';
import {root} from './support.mjs';

describe('engine choice', () => {
  test('threads in an isolated page with two cores or more, at most 4, for either slot; FMA wherever relaxed SIMD validates', () => {
    const pick = (isolated, cores, relaxedSimd) => chooseEngine({isolated, cores, relaxedSimd});
    assert.deepEqual(pick(false, 8, true), {threads: 1, fma: true}, 'a plain host');
    assert.deepEqual(pick(true, 1, true), {threads: 1, fma: true}, 'one core: threads could only lose');
    assert.deepEqual(pick(true, 0, false), {threads: 1, fma: false}, 'cores unknown');
    assert.deepEqual(pick(true, 2, true), {threads: 2, fma: true}, 'the threaded build with FMA, never without');
    assert.deepEqual(pick(true, 2, false), {threads: 2, fma: false}, 'no relaxed SIMD: plain against plain');
    assert.deepEqual(pick(true, 16, true), {threads: 4, fma: true});
  });

  test('the FMA patch steps over atomics, which the pthreads build has', () => {
    const fence = [0xfe, 0x03, 0x00]; // atomic.fence
    const body = (fma) => [...fence, ...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, ...fma];
    const bytes = v128Module(body([0xaf, 0x01]));
    assert.equal(patchFma(bytes), 1);
    assert.deepEqual([...bytes], [...v128Module(body([0x85, 0x02]))]);
  });

  test('build/wasm-mt-fma imports shared memory and fuses its multiply-adds', (t) => {
    const wasm = path.join(root, 'build/wasm-mt-fma/mnist_lab.wasm');
    let dis;
    try {
      dis = execFileSync('wasm-objdump', ['-x', '-d', wasm], {encoding: 'utf8', maxBuffer: 1 << 28});
    } catch (e) {
      if (e.code === 'ENOENT') {
        t.skip('wasm-objdump (Debian wabt) not installed');
        return;
      }
      throw e;
    }
    assert.match(dis, /memory\[0\].* shared/);
    assert.match(dis, /relaxed_madd|f32x4\.fma|fd 85 02/);
  });
});
