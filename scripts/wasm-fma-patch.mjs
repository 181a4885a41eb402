// Rewrites a wasm binary's pre-standard f32x4 fused multiply-add (0xfd 0xaf 0x01,
// what LLVM 14's __builtin_wasm_fma_f32x4 emits and current V8 rejects) into the
// standard relaxed-SIMD f32x4.relaxed_madd (0xfd 0x85 0x02). Both encodings are
// three bytes, so nothing else in the binary moves. The stack operands keep
// their order and relaxed_madd computes op1 * op2 + op3, which is how the source
// calls the builtin (nn/kernels/madd.h); the gemm and conv tests check results.
//
// The code section is decoded instruction by instruction, so only real opcodes
// are touched, never bytes of a constant or an offset that happen to match.
//
//   node scripts/wasm-fma-patch.mjs IN.wasm OUT.wasm   (prints how many)
import fs from 'node:fs';

const FMA_OLD = 0xaf;
const FMA_NEW = 0x105;

/** An unsigned LEB128 at pos: [value, next position]. */
function uleb(b, pos) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = b[pos++];
    if (byte === undefined) throw new Error('truncated LEB128');
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(byte & 0x80)) return [value, pos];
    if (shift > 63) throw new Error('LEB128 too long');
  }
}
const skipLeb = (b, pos) => uleb(b, pos)[1];
const skipMemarg = (b, pos) => skipLeb(b, skipLeb(b, pos)); // align, offset

/** Position after the immediates of one-byte opcode op, which ended at pos. */
function skipImmediates(b, op, pos) {
  if (op === 0x02 || op === 0x03 || op === 0x04) {
    // block type: empty (0x40), a value type, or a type index (s33)
    return b[pos] === 0x40 || (b[pos] >= 0x6f && b[pos] <= 0x7f) ? pos + 1 : skipLeb(b, pos);
  }
  if (op === 0x0c || op === 0x0d || op === 0x10 || op === 0xd2) return skipLeb(b, pos); // br, br_if, call, ref.func
  if (op === 0x0e) {
    // br_table: n labels and a default
    let n;
    [n, pos] = uleb(b, pos);
    for (let i = 0; i <= n; ++i) pos = skipLeb(b, pos);
    return pos;
  }
  if (op === 0x11) return skipLeb(b, skipLeb(b, pos)); // call_indirect
  if (op === 0x1c) {
    // typed select
    let n;
    [n, pos] = uleb(b, pos);
    return pos + n;
  }
  if (op >= 0x20 && op <= 0x26) return skipLeb(b, pos); // locals, globals, tables
  if (op >= 0x28 && op <= 0x3e) return skipMemarg(b, pos); // loads and stores
  if (op === 0x3f || op === 0x40) return pos + 1; // memory.size, memory.grow
  if (op === 0x41 || op === 0x42) return skipLeb(b, pos); // i32.const, i64.const
  if (op === 0x43) return pos + 4;
  if (op === 0x44) return pos + 8;
  if (op === 0xd0) return pos + 1; // ref.null
  if (op === 0xfc) {
    // saturating truncations, bulk memory, tables
    let sub;
    [sub, pos] = uleb(b, pos);
    if (sub <= 7) return pos;
    if (sub === 8) return skipLeb(b, pos) + 1;
    if (sub === 9 || sub === 13 || (sub >= 15 && sub <= 17)) return skipLeb(b, pos);
    if (sub === 10) return pos + 2;
    if (sub === 11) return pos + 1;
    if (sub === 12 || sub === 14) return skipLeb(b, skipLeb(b, pos));
    throw new Error(`unknown opcode 0xfc ${sub}`);
  }
  if (op === 0xfe) {
    // threads (the pthreads build): atomic.fence has a zero byte, every other a memarg
    let sub;
    [sub, pos] = uleb(b, pos);
    return sub === 3 ? pos + 1 : skipMemarg(b, pos);
  }
  if (op <= 0x1b || (op >= 0x45 && op <= 0xc4)) return pos; // control without immediates, numeric
  throw new Error(`unknown opcode 0x${op.toString(16)}`);
}

/** A SIMD (0xfd) instruction starting after its prefix: [sub-opcode, its position, next position]. */
function skipSimd(b, pos) {
  const at = pos;
  let sub;
  [sub, pos] = uleb(b, pos);
  if (sub <= 11 || sub === 92 || sub === 93) return [sub, at, skipMemarg(b, pos)]; // loads, stores
  if (sub === 12 || sub === 13) return [sub, at, pos + 16]; // v128.const, i8x16.shuffle
  if (sub >= 21 && sub <= 34) return [sub, at, pos + 1]; // lane extract/replace
  if (sub >= 84 && sub <= 91) return [sub, at, skipMemarg(b, pos) + 1]; // lane loads/stores
  return [sub, at, pos];
}

/** Patches the binary in place; returns how many instructions were rewritten. */
export function patchFma(b) {
  if (b[0] !== 0 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) throw new Error('not a wasm binary');
  let patched = 0;
  let pos = 8;
  while (pos < b.length) {
    const id = b[pos];
    let size;
    [size, pos] = uleb(b, pos + 1);
    const end = pos + size;
    if (id === 10) {
      // the code section
      let count;
      let p;
      [count, p] = uleb(b, pos);
      for (let f = 0; f < count; ++f) {
        let bodySize;
        [bodySize, p] = uleb(b, p);
        const bodyEnd = p + bodySize;
        let groups;
        [groups, p] = uleb(b, p);
        for (let g = 0; g < groups; ++g) p = skipLeb(b, p) + 1; // count, value type
        while (p < bodyEnd) {
          const op = b[p++];
          if (op !== 0xfd) {
            p = skipImmediates(b, op, p);
            continue;
          }
          const [sub, at, next] = skipSimd(b, p);
          if (sub === FMA_OLD) {
            if (next - at !== 2) throw new Error('unexpected encoding of the fma opcode');
            b[at] = 0x80 | (FMA_NEW & 0x7f);
            b[at + 1] = FMA_NEW >> 7;
            ++patched;
          }
          p = next;
        }
        if (p !== bodyEnd) throw new Error(`function ${f}: decoding ran past its body`);
      }
    }
    pos = end;
  }
  return patched;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    console.error('usage: node scripts/wasm-fma-patch.mjs IN.wasm OUT.wasm');
    process.exit(2);
  }
  const bytes = new Uint8Array(fs.readFileSync(input));
  const n = patchFma(bytes);
  if (n === 0) {
    console.error(`${input}: no pre-standard f32x4 fma instructions to rewrite`);
    process.exit(1);
  }
  fs.writeFileSync(output, bytes);
  console.log(`${output}: ${n} f32x4 fma -> f32x4.relaxed_madd`);
}
