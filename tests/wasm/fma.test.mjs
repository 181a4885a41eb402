// The relaxed-SIMD build (build/wasm-fma): the post-link patch and the results.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, test} from 'node:test';

import {patchFma} from '../../scripts/wasm-fma-patch.mjs';
import {V128_ZERO, v128Module} from '../../web/src/engine/compile.js';
import {root} from './support.mjs';

describe('relaxed-SIMD build', () => {
  test('the patch rewrites the pre-standard fma opcode and nothing that only looks like it', () => {
    // i32.const 22525 is encoded 0x41 0xfd 0xaf 0x01: the fma's bytes inside an immediate.
    const lookalike = [0x41, 0xfd, 0xaf, 0x01, 0x1a]; // i32.const 22525, drop
    const body = (fma) => [...lookalike, ...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, ...fma];
    const bytes = v128Module(body([0xaf, 0x01]));
    assert.equal(patchFma(bytes), 1);
    assert.deepEqual([...bytes], [...v128Module(body([0x85, 0x02]))]);
    assert.equal(patchFma(bytes), 0, 'a patched module has nothing left to patch');
    assert.throws(() => patchFma(new Uint8Array([1, 2, 3, 4])), /not a wasm binary/);
  });

  test("the fma build trains to the plain build's results, and says it fuses", () => {
    assert.ok(
      fs.existsSync(path.join(root, 'build/wasm-fma/mnist_lab.wasm')),
      'build/wasm-fma is built by npm run build',
    );
    const out = JSON.parse(
      execFileSync(
        process.execPath,
        ['--experimental-wasm-relaxed-simd', path.join(root, 'tests/wasm/fma-agree.mjs')],
        {encoding: 'utf8'},
      ),
    );
    const plain = out['build/wasm'],
      fma = out['build/wasm-fma'];
    assert.equal(plain.fma, false);
    assert.equal(fma.fma, true);
    // Fused rounding differs in the last bits, so the runs drift apart a little.
    for (let e = 0; e < 2; e++) {
      const rel = Math.abs(fma.losses[e] - plain.losses[e]) / plain.losses[e];
      assert.ok(rel < 1e-3, `epoch ${e + 1}: fma ${fma.losses[e]} vs plain ${plain.losses[e]}`);
    }
    assert.ok(fma.losses[1] < fma.losses[0], 'it learns');
    assert.ok(
      Math.abs(fma.test.accuracy - plain.test.accuracy) <= 0.003,
      `${fma.test.accuracy} vs ${plain.test.accuracy}`,
    );
  });
});
