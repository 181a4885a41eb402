#pragma once
// Single-precision GEMM over row-major buffers, the one product every layer uses:
//   C (M, N) = op(A) (M, K) * op(B) (K, N)        (accumulate: C += ...)
// op(A) is A (M, K) with row stride lda, or, with trans_a, the transpose of a
// stored (K, M) matrix; op(B) likewise. Strides count floats.
//
// The fast path packs A and B into cache-sized panels held in fixed
// thread_local buffers (no allocation, ever) and runs a register-blocked
// microkernel written with vector extensions: f32x4 in wasm SIMD, the widest of
// SSE/AVX/AVX-512 natively. The summation order depends on the sizes only, so a
// run is bit-identical for the same inputs in a given build, whatever the
// thread count: with threads() > 1 (nn/util/parallel.h) a large product is
// split into blocks of whole rows or whole columns of C, one per thread.
namespace mnist {

// Which side of C a product shared between threads is cut along. kLonger cuts
// the longer side (each thread packs all of the other operand, the smaller
// copy). kRows and kCols cut C's rows or columns at
// share_of(len, gemm_split_unit(), parts, k) for thread k, parts = the fewer of
// threads() and whole units in len: a layer that wants each thread to compute
// the same rows of a weight matrix in every product (and the optimizer to
// update them there) says which side holds them.
enum class GemmSplit { kLonger, kRows, kCols };

void gemm(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
          float* C, int ldc, bool accumulate, GemmSplit split = GemmSplit::kLonger);

// The unit kRows and kCols cut in: a whole number of the microkernel's rows and
// of its columns, so neither cut leaves a ragged tile.
int gemm_split_unit();

// The naive triple loop with a double accumulator: the oracle for tests.
void gemm_reference(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B,
                    int ldb, float* C, int ldc, bool accumulate);

// "packed-f32x4", "packed-f32x8", "packed-f32x16" or "eigen": what gemm() runs.
const char* gemm_kind();

}  // namespace mnist
