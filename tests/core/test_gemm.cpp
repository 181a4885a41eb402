// gemm: the packed kernel against its naive twin on every transpose, on sizes that
// cut every register and cache tile (odd, prime, one past a block), with strides
// wider than the matrix, and with accumulate; plus bit-identical repeat runs.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "nn/kernels/gemm.h"
#include "nn/util/rng.h"

using namespace mnist;

namespace {

struct Case {
  int M, N, K;
};

// Runs gemm and gemm_reference on the same random operands and returns the
// largest |fast - naive| relative to the sum of |a*b| terms of that element.
double max_rel_err(bool ta, bool tb, Case c, int pad, bool accumulate, uint64_t seed) {
  Rng rng(seed);
  // Stored shapes: A is (M, K) or (K, M); B is (K, N) or (N, K); row strides
  // `pad` floats wider than a row.
  const int a_rows = ta ? c.K : c.M, a_cols = ta ? c.M : c.K;
  const int b_rows = tb ? c.N : c.K, b_cols = tb ? c.K : c.N;
  const int lda = a_cols + pad, ldb = b_cols + pad, ldc = c.N + pad;
  std::vector<float> A(size_t(a_rows) * lda), B(size_t(b_rows) * ldb), C(size_t(c.M) * ldc);
  for (auto& v : A) v = rng.uniform() * 2 - 1;
  for (auto& v : B) v = rng.uniform() * 2 - 1;
  for (auto& v : C) v = rng.uniform() * 2 - 1;
  std::vector<float> R = C;
  gemm(ta, tb, c.M, c.N, c.K, A.data(), lda, B.data(), ldb, C.data(), ldc, accumulate);
  gemm_reference(ta, tb, c.M, c.N, c.K, A.data(), lda, B.data(), ldb, R.data(), ldc, accumulate);
  double worst = 0;
  for (int i = 0; i < c.M; ++i)
    for (int j = 0; j < c.N + pad; ++j) {
      const size_t at = size_t(i) * ldc + j;
      if (j >= c.N) {  // the padding between rows is never written
        if (C[at] != R[at]) return 1e9;
        continue;
      }
      double scale = accumulate ? std::fabs(R[at]) : 0.0;
      for (int k = 0; k < c.K; ++k) {
        const float a = ta ? A[size_t(k) * lda + i] : A[size_t(i) * lda + k];
        const float b = tb ? B[size_t(j) * ldb + k] : B[size_t(k) * ldb + j];
        scale += std::fabs(double(a) * b);
      }
      worst = std::max(worst, std::fabs(double(C[at]) - R[at]) / std::max(scale, 1e-30));
    }
  return worst;
}

}  // namespace

TEST_CASE("gemm: packed kernel equals the naive product on odd sizes and every transpose", "[gemm]") {
  INFO("kernel: " << gemm_kind());
  const Case cases[] = {{1, 1, 1},    {1, 7, 3},      {5, 1, 9},      {3, 5, 7},     {17, 13, 11},
                        {4, 12, 1},   {8, 32, 64},    {9, 33, 65},    {63, 97, 31},  {100, 50, 321},
                        {97, 770, 5}, {130, 40, 700}, {37, 1537, 29}, {1, 513, 784}, {2, 9, 35},
                        {2, 3, 8}};  // M <= 2: the unpacked path
  uint64_t seed = 1;
  for (const Case& c : cases)
    for (int t = 0; t < 4; ++t)
      for (int pad : {0, 3})
        for (bool acc : {false, true}) {
          const bool ta = t & 1, tb = t & 2;
          INFO("M " << c.M << " N " << c.N << " K " << c.K << " ta " << ta << " tb " << tb << " pad " << pad
                    << " acc " << acc);
          CHECK(max_rel_err(ta, tb, c, pad, acc, seed++) < 1e-5);
        }
}

TEST_CASE("gemm: K = 0 clears or keeps C, empty M or N touch nothing", "[gemm]") {
  std::vector<float> C = {1, 2, 3, 4}, A = {0}, B = {0};
  gemm(false, false, 2, 2, 0, A.data(), 1, B.data(), 2, C.data(), 2, true);
  CHECK(C == std::vector<float>{1, 2, 3, 4});
  gemm(false, false, 2, 2, 0, A.data(), 1, B.data(), 2, C.data(), 2, false);
  CHECK(C == std::vector<float>{0, 0, 0, 0});
  C = {5, 6, 7, 8};
  gemm(false, false, 0, 2, 3, A.data(), 3, B.data(), 2, C.data(), 2, false);
  gemm(false, false, 2, 0, 3, A.data(), 3, B.data(), 2, C.data(), 2, false);
  CHECK(C == std::vector<float>{5, 6, 7, 8});
}

TEST_CASE("gemm: by hand, and the same inputs give bit-identical outputs", "[gemm]") {
  // [1 2; 3 4] * [5 6; 7 8] = [19 22; 43 50]; A^T * B = [1 3; 2 4] * B = [26 30; 38 44]
  const std::vector<float> A = {1, 2, 3, 4}, B = {5, 6, 7, 8};
  std::vector<float> C(4);
  gemm(false, false, 2, 2, 2, A.data(), 2, B.data(), 2, C.data(), 2, false);
  CHECK(C == std::vector<float>{19, 22, 43, 50});
  gemm(true, false, 2, 2, 2, A.data(), 2, B.data(), 2, C.data(), 2, false);
  CHECK(C == std::vector<float>{26, 30, 38, 44});

  // A conv-sized product (K split into several blocks) twice.
  Rng rng(7);
  const int M = 64, N = 300, K = 1000;
  std::vector<float> X(size_t(M) * K), Y(size_t(K) * N), C1(size_t(M) * N), C2(size_t(M) * N);
  for (auto& v : X) v = rng.normal();
  for (auto& v : Y) v = rng.normal();
  gemm(false, false, M, N, K, X.data(), K, Y.data(), N, C1.data(), N, false);
  gemm(false, false, M, N, K, X.data(), K, Y.data(), N, C2.data(), N, false);
  CHECK(C1 == C2);
}
