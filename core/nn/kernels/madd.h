#pragma once
// acc + x * y on 4-wide float vectors, the update every hot loop makes.
//
// In the relaxed-SIMD wasm build (MNIST_RELAXED_FMA, build/wasm-fma) it is one
// fused f32x4.relaxed_madd, which the browser runs as an FMA where the CPU has
// one: GEMMs measured 1.2-1.35x faster in Chromium than with a multiply and an
// add. LLVM 14 only knows the pre-standard opcode for it (and reads its operands
// as z + x * y); scripts/wasm-fma-patch.mjs rewrites each one after linking to
// the standard relaxed_madd, which takes the stack operands (x, y, z) as
// x * y + z. Everywhere else this is the plain multiply and add.
namespace mnist {

typedef float f32x4 __attribute__((vector_size(16)));

inline f32x4 madd(f32x4 acc, f32x4 x, f32x4 y) {
#if defined(MNIST_RELAXED_FMA)
  return (f32x4)__builtin_wasm_fma_f32x4(x, y, acc);
#else
  return acc + x * y;
#endif
}

}  // namespace mnist
