#include "nn/kernels/gemm.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "nn/kernels/madd.h"
#include "nn/util/parallel.h"

#if defined(MNIST_GEMM_EIGEN)
#include "nn/util/types.h"
#endif

namespace mnist {

void gemm_reference(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B,
                    int ldb, float* C, int ldc, bool accumulate) {
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      double acc = accumulate ? C[size_t(i) * ldc + j] : 0.0;
      for (int k = 0; k < K; ++k) {
        const float a = trans_a ? A[size_t(k) * lda + i] : A[size_t(i) * lda + k];
        const float b = trans_b ? B[size_t(j) * ldb + k] : B[size_t(k) * ldb + j];
        acc += double(a) * b;
      }
      C[size_t(i) * ldc + j] = float(acc);
    }
}

#if defined(MNIST_GEMM_EIGEN)

namespace {
using Stride = Eigen::OuterStride<>;
using ConstStrided = Eigen::Map<const RowMat, 0, Stride>;
}  // namespace

const char* gemm_kind() { return "eigen"; }

int gemm_split_unit() { return 8; }

void gemm(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
          float* C, int ldc, bool accumulate, GemmSplit) {
  Eigen::Map<RowMat, 0, Stride> c(C, M, N, Stride(ldc));
  auto run = [&](const auto& a, const auto& b) {
    if (accumulate)
      c.noalias() += a * b;
    else
      c.noalias() = a * b;
  };
  const ConstStrided a = trans_a ? ConstStrided(A, K, M, Stride(lda)) : ConstStrided(A, M, K, Stride(lda));
  const ConstStrided b = trans_b ? ConstStrided(B, N, K, Stride(ldb)) : ConstStrided(B, K, N, Stride(ldb));
  if (!trans_a && !trans_b)
    run(a, b);
  else if (trans_a && !trans_b)
    run(a.transpose(), b);
  else if (!trans_a && trans_b)
    run(a, b.transpose());
  else
    run(a.transpose(), b.transpose());
}

#else

namespace {

// Vector width in floats and the register tile: MR rows of C by NV vectors of
// VW columns (NR = NV * VW). f32x4 has no fused multiply-add, so each update is
// a multiply into a temporary and an add. In wasm, 4x8 (8 accumulators) measured
// faster than 4x12, 6x8 and 8x8: V8 has 16 xmm registers and spills the larger
// tiles. With AVX-512's 32 registers, 8x32 matched or beat Eigen.
#if defined(MNIST_GEMM_VW)
constexpr int VW = MNIST_GEMM_VW;
#elif defined(__AVX512F__)
constexpr int VW = 16;
#elif defined(__AVX__)
constexpr int VW = 8;
#else
constexpr int VW = 4;
#endif
#if defined(MNIST_GEMM_MR)
constexpr int MR = MNIST_GEMM_MR;
#elif defined(__AVX512F__)
constexpr int MR = 8;
#elif defined(__AVX__)
constexpr int MR = 6;
#else
constexpr int MR = 4;
#endif
#if defined(MNIST_GEMM_NV)
constexpr int NV = MNIST_GEMM_NV;
#else
constexpr int NV = 2;
#endif
constexpr int NR = NV * VW;

// Cache blocking: a kc x NR panel of B stays in L1 while the mc x kc block of A
// streams from L2; the kc x nc block of B sits in L2/L3.
constexpr int KC = 320;
constexpr int MC = (96 / MR) * MR;
constexpr int NC = (768 / NR) * NR;

typedef float vf __attribute__((vector_size(VW * 4)));
typedef float vfu __attribute__((vector_size(VW * 4), aligned(4)));  // unaligned view of C

// The packed operands. Fixed size, so the training loop never allocates; one
// set per thread so concurrent sessions cannot trample each other.
alignas(64) thread_local float pack_a[MC * KC];
alignas(64) thread_local float pack_b[KC * NC];

// a: (kc, MR) packed, b: (kc, NR) packed, c: (MR, NR) with row stride ldc.
inline void micro_kernel(int kc, const float* __restrict a, const float* __restrict b, float* __restrict c,
                         int ldc, bool accumulate) {
  vf r[MR][NV] = {};
  for (int k = 0; k < kc; ++k) {
    vf bv[NV];
    for (int v = 0; v < NV; ++v) bv[v] = *reinterpret_cast<const vf*>(b + v * VW);
    for (int i = 0; i < MR; ++i) {
#if defined(MNIST_RELAXED_FMA)  // wasm only, so VW == 4
      const vf ai = {a[i], a[i], a[i], a[i]};  // a braced splat: "vf{} + a[i]" would cost an add
      for (int v = 0; v < NV; ++v) r[i][v] = madd(r[i][v], ai, bv[v]);
#else
      const float ai = a[i];
      for (int v = 0; v < NV; ++v) r[i][v] += ai * bv[v];
#endif
    }
    a += MR;
    b += NR;
  }
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) {
      vfu* p = reinterpret_cast<vfu*>(c + size_t(i) * ldc + v * VW);
      *p = accumulate ? *p + r[i][v] : r[i][v];
    }
}

// A tile cut by the matrix edge: computed whole into a scratch tile (the packs
// are zero-padded), then the valid m x n part is stored.
void edge_kernel(int kc, const float* a, const float* b, float* c, int ldc, int m, int n, bool accumulate) {
  alignas(64) float t[MR * NR];
  micro_kernel(kc, a, b, t, NR, false);
  for (int i = 0; i < m; ++i) {
    float* ci = c + size_t(i) * ldc;
    const float* ti = t + i * NR;
    if (accumulate)
      for (int j = 0; j < n; ++j) ci[j] += ti[j];
    else
      for (int j = 0; j < n; ++j) ci[j] = ti[j];
  }
}

// dst[k * R + r] = src[r * ld + k] for r < R, k < kc: R rows of a row-major
// matrix interleaved into one packed panel. The strided stores are the slow part
// of packing a transposed operand (x * W^T in dense, the weight gradient in
// conv), so whole 4x4 blocks are transposed in registers when R is a multiple
// of 4 (f32x4 shuffles in wasm, SSE natively).
void interleave_rows(const float* src, size_t ld, int R, int kc, float* dst) {
  int k = 0;
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 12)
  if (R % 4 == 0) {
    typedef float v4 __attribute__((vector_size(16), aligned(4), may_alias));
    for (; k + 4 <= kc; k += 4)
      for (int r = 0; r < R; r += 4) {
        const float* s0 = src + size_t(r) * ld + k;
        const v4 r0 = *reinterpret_cast<const v4*>(s0), r1 = *reinterpret_cast<const v4*>(s0 + ld),
                 r2 = *reinterpret_cast<const v4*>(s0 + 2 * ld),
                 r3 = *reinterpret_cast<const v4*>(s0 + 3 * ld);
        const v4 t0 = __builtin_shufflevector(r0, r1, 0, 4, 1, 5),
                 t1 = __builtin_shufflevector(r2, r3, 0, 4, 1, 5);
        const v4 t2 = __builtin_shufflevector(r0, r1, 2, 6, 3, 7),
                 t3 = __builtin_shufflevector(r2, r3, 2, 6, 3, 7);
        float* d = dst + size_t(k) * R + r;
        *reinterpret_cast<v4*>(d) = __builtin_shufflevector(t0, t1, 0, 1, 4, 5);
        *reinterpret_cast<v4*>(d + R) = __builtin_shufflevector(t0, t1, 2, 3, 6, 7);
        *reinterpret_cast<v4*>(d + 2 * R) = __builtin_shufflevector(t2, t3, 0, 1, 4, 5);
        *reinterpret_cast<v4*>(d + 3 * R) = __builtin_shufflevector(t2, t3, 2, 3, 6, 7);
      }
  }
#endif
  for (int r = 0; r < R; ++r) {
    const float* s0 = src + size_t(r) * ld;
    for (int kk = k; kk < kc; ++kk) dst[size_t(kk) * R + r] = s0[kk];
  }
}

// op(A)[i0:i0+mc, p0:p0+kc] -> MR-row panels, each (kc, MR), zero-padded.
void pack_a_block(bool trans, const float* A, int lda, int i0, int mc, int p0, int kc, float* pa) {
  for (int ir = 0; ir < mc; ir += MR) {
    const int m = std::min(MR, mc - ir);
    float* dst = pa + size_t(ir) * kc;
    if (trans) {  // A is (K, M): a row of A holds MR consecutive i's
      for (int k = 0; k < kc; ++k) {
        const float* src = A + size_t(p0 + k) * lda + i0 + ir;
        float* d = dst + k * MR;
        for (int i = 0; i < m; ++i) d[i] = src[i];
        for (int i = m; i < MR; ++i) d[i] = 0.0f;
      }
    } else if (m == MR) {
      interleave_rows(A + size_t(i0 + ir) * lda + p0, lda, MR, kc, dst);
    } else {
      for (int i = 0; i < m; ++i) {
        const float* src = A + size_t(i0 + ir + i) * lda + p0;
        for (int k = 0; k < kc; ++k) dst[k * MR + i] = src[k];
      }
      for (int i = m; i < MR; ++i)
        for (int k = 0; k < kc; ++k) dst[k * MR + i] = 0.0f;
    }
  }
}

// op(B)[p0:p0+kc, j0:j0+nc] -> NR-column panels, each (kc, NR), zero-padded.
void pack_b_block(bool trans, const float* B, int ldb, int p0, int kc, int j0, int nc, float* pb) {
  for (int jr = 0; jr < nc; jr += NR) {
    const int n = std::min(NR, nc - jr);
    float* dst = pb + size_t(jr) * kc;
    if (!trans) {  // B is (K, N): NR consecutive j's per row
      for (int k = 0; k < kc; ++k) {
        const float* src = B + size_t(p0 + k) * ldb + j0 + jr;
        float* d = dst + k * NR;
        if (n == NR) {
          std::memcpy(d, src, sizeof(float) * NR);
        } else {
          for (int j = 0; j < n; ++j) d[j] = src[j];
          for (int j = n; j < NR; ++j) d[j] = 0.0f;
        }
      }
    } else if (n == NR) {
      interleave_rows(B + size_t(j0 + jr) * ldb + p0, ldb, NR, kc, dst);
    } else {
      for (int j = 0; j < n; ++j) {
        const float* src = B + size_t(j0 + jr + j) * ldb + p0;
        for (int k = 0; k < kc; ++k) dst[k * NR + j] = src[k];
      }
      for (int j = n; j < NR; ++j)
        for (int k = 0; k < kc; ++k) dst[k * NR + j] = 0.0f;
    }
  }
}

// One or two rows of C (a drawing-pad prediction has M = 1): packing would copy
// all of B to use each value once or twice, which cost more than the product
// (a 1x784 by 784x512 layer spent most of its time packing), so this reads the
// operands in place. x * W^T is a dot product per output, summed in eight
// lanes of two 4-wide vectors.
void gemm_few_rows(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B,
                   int ldb, float* C, int ldc, bool accumulate) {
  for (int i = 0; i < M; ++i) {
    float* c = C + size_t(i) * ldc;
    const float* a = trans_a ? nullptr : A + size_t(i) * lda;
    // A is never null; the analyzer's path with `a` null and A null cannot happen.
    // NOLINTNEXTLINE(clang-analyzer-core.NullDereference)
    auto a_at = [&](int k) { return a ? a[k] : A[size_t(k) * lda + i]; };
    if (!trans_b) {  // c (N) += sum_k a[k] * B[k, :]
      if (!accumulate) std::fill(c, c + N, 0.0f);
      for (int k = 0; k < K; ++k) {
        const float ak = a_at(k);
        const float* b = B + size_t(k) * ldb;
        for (int j = 0; j < N; ++j) c[j] += ak * b[j];
      }
      continue;
    }
    for (int j = 0; j < N; ++j) {  // c[j] = a . B[j, :]
      const float* b = B + size_t(j) * ldb;
      typedef float v4u __attribute__((vector_size(16), aligned(4)));
      v4u s0 = {}, s1 = {};
      int k = 0;
      if (a)
        for (; k + 8 <= K; k += 8) {
          s0 = madd(s0, *reinterpret_cast<const v4u*>(a + k), *reinterpret_cast<const v4u*>(b + k));
          s1 = madd(s1, *reinterpret_cast<const v4u*>(a + k + 4), *reinterpret_cast<const v4u*>(b + k + 4));
        }
      const v4u s = s0 + s1;
      float t = (s[0] + s[1]) + (s[2] + s[3]);
      for (; k < K; ++k) t += a_at(k) * b[k];
      c[j] = accumulate ? c[j] + t : t;
    }
  }
}

}  // namespace

const char* gemm_kind() { return VW == 16 ? "packed-f32x16" : VW == 8 ? "packed-f32x8" : "packed-f32x4"; }

int gemm_split_unit() { return std::lcm(MR, NR); }

namespace {

// The packed product for any M >= 1 (gemm() sends M <= 2 elsewhere). Every
// element of C is summed in an order set by K alone (the K blocks, then the
// microkernel's k loop), never by where its tile lies, so any block of rows or
// columns computed on its own comes out bit-identical to the same block of the
// whole product: that is what lets gemm() share the work between threads.
void gemm_packed(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B,
                 int ldb, float* C, int ldc, bool accumulate) {
  // Equal K blocks no larger than KC: K = 288 is one block, not 256 + 32.
  const int k_blocks = (K + KC - 1) / KC;
  const int kc_even = (K + k_blocks - 1) / k_blocks;
  for (int jc = 0; jc < N; jc += NC) {
    const int nc = std::min(NC, N - jc);
    for (int pc = 0; pc < K; pc += kc_even) {
      const int kc = std::min(kc_even, K - pc);
      const bool acc = accumulate || pc > 0;
      pack_b_block(trans_b, B, ldb, pc, kc, jc, nc, pack_b);
      for (int ic = 0; ic < M; ic += MC) {
        const int mc = std::min(MC, M - ic);
        pack_a_block(trans_a, A, lda, ic, mc, pc, kc, pack_a);
        for (int jr = 0; jr < nc; jr += NR) {
          const int n = std::min(NR, nc - jr);
          const float* pb = pack_b + size_t(jr) * kc;
          for (int ir = 0; ir < mc; ir += MR) {
            const int m = std::min(MR, mc - ir);
            const float* pa = pack_a + size_t(ir) * kc;
            float* c = C + size_t(ic + ir) * ldc + jc + jr;
            if (m == MR && n == NR)
              micro_kernel(kc, pa, pb, c, ldc, acc);
            else
              edge_kernel(kc, pa, pb, c, ldc, m, n, acc);
          }
        }
      }
    }
  }
}

// Below this many multiply-adds a product is not worth waking other threads
// for (a wake-up and join cost some microseconds; this is ~50 us of work).
constexpr double kParallelMinMacs = 1 << 19;

}  // namespace

void gemm(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
          float* C, int ldc, bool accumulate, GemmSplit split) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int i = 0; i < M; ++i) std::fill(C + size_t(i) * ldc, C + size_t(i) * ldc + N, 0.0f);
    return;
  }
  if (M <= 2) {
    gemm_few_rows(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
    return;
  }
  const int t = threads();
  if (t == 1 || double(M) * N * K < kParallelMinMacs) {
    gemm_packed(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
    return;
  }
  // Each thread computes a block of C's columns (or rows) with its own packing
  // buffers (thread_local). Every thread packs all of the operand it shares,
  // so unless told which side to cut, cut the longer one: the copy repeated
  // per thread is then the smaller one.
  const bool by_cols = split == GemmSplit::kLonger ? N >= M : split == GemmSplit::kCols;
  const int len = by_cols ? N : M;
  const int unit = split != GemmSplit::kLonger ? gemm_split_unit() : by_cols ? NR : MR;
  const int parts = share_parts(len, unit, t);
  parallel_for(parts, [&](int p) {
    const auto [lo, hi] = share_of(len, unit, parts, p);
    if (by_cols) {  // C[:, lo:hi] = op(A) * op(B)[:, lo:hi]
      const float* b = trans_b ? B + size_t(lo) * ldb : B + lo;
      gemm_packed(trans_a, trans_b, M, hi - lo, K, A, lda, b, ldb, C + lo, ldc, accumulate);
    } else {  // C[lo:hi, :] = op(A)[lo:hi, :] * op(B)
      const float* a = trans_a ? A + lo : A + size_t(lo) * lda;
      gemm_packed(trans_a, trans_b, hi - lo, N, K, a, lda, B, ldb, C + size_t(lo) * ldc, ldc, accumulate);
    }
  });
}

#endif

}  // namespace mnist
