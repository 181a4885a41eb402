// The thread pool (nn/util/parallel) and the threaded gemm: every index runs
// exactly once whatever the thread count, and gemm() with 2 or 3 threads gives
// C bit for bit as with 1 (and still matches the naive product), on shapes that
// split by rows and by columns (the longer side, or the side asked for), cut every tile, with every
// transpose, strides wider than the matrix and accumulate; and the Winograd convolution, which shares out
// whole GEMMs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "nn/kernels/gemm.h"
#include "nn/layers/conv2d.h"
#include "nn/util/parallel.h"
#include "nn/util/rng.h"

using namespace mnist;

namespace {

// Restores one thread when a test ends, so no other test runs threaded by accident.
struct Threads {
  explicit Threads(int n) { set_threads(n); }
  ~Threads() { set_threads(1); }
};

struct GemmShape {
  int M, N, K;
};

struct Operands {
  int lda, ldb, ldc;
  std::vector<float> A, B, C;
};

Operands make(bool ta, bool tb, GemmShape s, int pad, uint64_t seed) {
  Rng rng(seed);
  Operands o;
  const int a_rows = ta ? s.K : s.M, a_cols = ta ? s.M : s.K;
  const int b_rows = tb ? s.N : s.K, b_cols = tb ? s.K : s.N;
  o.lda = a_cols + pad;
  o.ldb = b_cols + pad;
  o.ldc = s.N + pad;
  o.A.resize(size_t(a_rows) * o.lda);
  o.B.resize(size_t(b_rows) * o.ldb);
  o.C.resize(size_t(s.M) * o.ldc);
  for (auto& v : o.A) v = rng.uniform() * 2 - 1;
  for (auto& v : o.B) v = rng.uniform() * 2 - 1;
  for (auto& v : o.C) v = rng.uniform() * 2 - 1;
  return o;
}

std::vector<float> run(int threads, bool ta, bool tb, GemmShape s, const Operands& o, bool accumulate,
                       GemmSplit split = GemmSplit::kLonger) {
  Threads t(threads);
  std::vector<float> C = o.C;
  gemm(ta, tb, s.M, s.N, s.K, o.A.data(), o.lda, o.B.data(), o.ldb, C.data(), o.ldc, accumulate, split);
  return C;
}

}  // namespace

TEST_CASE("parallel_for runs every index once, on any thread count", "[parallel]") {
  for (int n : {1, 2, 3, 4}) {
    Threads t(n);
    CHECK(threads() == n);
    for (int count : {0, 1, 2, 3, 7, 64}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(count));
      for (int rep = 0; rep < 20; ++rep) parallel_for(count, [&](int i) { hits[size_t(i)]++; });
      for (int i = 0; i < count; ++i) CHECK(hits[size_t(i)] == 20);
    }
  }
  CHECK(threads() == 1);
}

// Shrinking parks the workers past the new count and growing wakes them: each
// index still runs once, and no more threads than asked for take part.
TEST_CASE("set_threads shrinks and grows the pool between loops", "[parallel]") {
  Threads t(1);
  for (int n : {3, 2, 1, 3, 1, 2, 4, 2}) {
    set_threads(n);
    REQUIRE(threads() == n);
    for (int rep = 0; rep < 5; ++rep) {
      std::vector<std::atomic<int>> hits(64);
      std::mutex m;
      std::set<std::thread::id> ran;
      parallel_for(64, [&](int i) {
        hits[size_t(i)]++;
        volatile double x = 1;  // tens of microseconds of work, so the active threads share them out
        for (int k = 0; k < 20000; ++k) x = x * 1.0000001 + 1e-9;
        std::lock_guard<std::mutex> lk(m);
        ran.insert(std::this_thread::get_id());
      });
      INFO("threads=" << n << " rep=" << rep);
      for (auto& h : hits) CHECK(h == 1);
      CHECK(int(ran.size()) <= n);
    }
  }
}

// One index per thread: index 0 on the caller, index k on the same worker loop
// after loop, so the loops over the parameter arena find their blocks on the core
// that last touched them; parallel_ranges cuts [0, count) into such ranges.
TEST_CASE("parallel_for with one index per thread runs index k on the same thread every time", "[parallel]") {
  for (int n : {2, 3}) {
    Threads t(n);
    std::vector<std::thread::id> first(static_cast<size_t>(n)), now(static_cast<size_t>(n));
    parallel_for(n, [&](int i) { first[size_t(i)] = std::this_thread::get_id(); });
    CHECK(first[0] == std::this_thread::get_id());
    CHECK(std::set<std::thread::id>(first.begin(), first.end()).size() == size_t(n));
    for (int rep = 0; rep < 50; ++rep) {
      parallel_for(n, [&](int i) { now[size_t(i)] = std::this_thread::get_id(); });
      REQUIRE(now == first);
    }
    std::vector<std::atomic<int>> hits(1000);
    std::vector<int> owner(hits.size(), -1);
    parallel_ranges(1000, [&](int lo, int hi) {
      const auto it = std::find(first.begin(), first.end(), std::this_thread::get_id());
      for (int i = lo; i < hi; ++i) {
        hits[size_t(i)]++;
        owner[size_t(i)] = int(it - first.begin());
      }
    });
    for (auto& h : hits) CHECK(h == 1);
    // Contiguous ranges in thread order: 0..0, 1..1, ...
    CHECK(std::is_sorted(owner.begin(), owner.end()));
    CHECK(owner.front() == 0);
    CHECK(owner.back() == n - 1);
  }
}

TEST_CASE("parallel_for nested inside itself runs the inner loop inline", "[parallel]") {
  Threads t(2);
  std::vector<std::atomic<int>> hits(12);
  parallel_for(3, [&](int i) { parallel_for(4, [&](int j) { hits[size_t(i * 4 + j)]++; }); });
  for (auto& h : hits) CHECK(h == 1);
}

TEST_CASE("gemm: 2 and 3 threads give C bit for bit as 1 thread, and the naive product", "[gemm][parallel]") {
  INFO("kernel: " << gemm_kind());
  // Big enough to be split (M*N*K >= 2^19); wide ones split by columns, tall
  // ones by rows; odd sizes leave edge tiles in every part. The cnn's own
  // products are among them: conv forward (32, 64*676, 9), conv weight
  // gradient (64, 288, 64*121), dense input gradient (64, 1600, 128).
  const GemmShape shapes[] = {{3, 4000, 50},   {5, 1001, 200},  {97, 131, 67}, {131, 97, 67},
                              {300, 7, 400},   {64, 128, 1600}, {32, 2000, 9}, {64, 288, 1000},
                              {64, 1600, 128}, {29, 1023, 641}};
  for (const GemmShape s : shapes)
    for (int t = 0; t < 4; ++t) {
      const bool ta = t & 1, tb = t & 2;
      for (bool accumulate : {false, true}) {
        const int pad = (s.M + t) % 3;
        const Operands o = make(ta, tb, s, pad, 1000 + s.M * 7 + s.N + t);
        INFO("M=" << s.M << " N=" << s.N << " K=" << s.K << " ta=" << ta << " tb=" << tb
                  << " acc=" << accumulate);
        const auto one = run(1, ta, tb, s, o, accumulate);
        for (int n : {2, 3})
          for (GemmSplit split : {GemmSplit::kLonger, GemmSplit::kRows, GemmSplit::kCols}) {
            const auto many = run(n, ta, tb, s, o, accumulate, split);
            INFO("threads=" << n << " split=" << int(split));
            CHECK(std::memcmp(one.data(), many.data(), sizeof(float) * one.size()) == 0);
          }
        // And it is the right product: against the double-accumulating oracle.
        std::vector<float> R = o.C;
        gemm_reference(ta, tb, s.M, s.N, s.K, o.A.data(), o.lda, o.B.data(), o.ldb, R.data(), o.ldc,
                       accumulate);
        double worst = 0;
        for (int i = 0; i < s.M; ++i)
          for (int j = 0; j < s.N; ++j) {
            const size_t at = size_t(i) * o.ldc + j;
            worst = std::max(worst, std::fabs(double(one[at]) - R[at]));
          }
        CHECK(worst < 1e-5 * std::sqrt(double(s.K)) * 4);
      }
    }
}

// The Winograd convolution shares out its 16 GEMMs per block of samples: its
// output and every gradient are bit for bit the same on 1, 2 and 3 threads.
TEST_CASE("conv2d Winograd path: 2 and 3 threads give the same bits as 1", "[conv2d][winograd][parallel]") {
  const int n = 10, C = 16, F = 8, H = 9, W = 8;  // 10 samples: blocks of 8 and 2
  struct Run {
    std::vector<float> y, dx, grads;
  };
  auto run_conv = [&](int threads) {
    Threads t(threads);
    Conv2d conv(F, 3, false);
    conv.configure(image_shape(C, H, W));
    REQUIRE(conv.winograd());
    std::vector<float> params(conv.param_count());
    Run r;
    r.grads.resize(conv.param_count());
    conv.bind(params.data(), r.grads.data());
    Rng rng(7);
    conv.init(rng);
    conv.reserve(n);
    std::vector<float> x(size_t(n) * C * H * W);
    for (auto& v : x) v = rng.uniform() * 2 - 1;
    r.y.resize(size_t(n) * conv.out_shape().size());
    std::vector<float> dy(r.y.size());
    for (auto& v : dy) v = rng.uniform() * 2 - 1;
    r.dx.resize(x.size());
    conv.forward(x.data(), r.y.data(), n, true);
    conv.backward(x.data(), r.y.data(), dy.data(), r.dx.data(), n);
    return r;
  };
  const Run one = run_conv(1);
  for (int threads : {2, 3}) {
    const Run many = run_conv(threads);
    INFO("threads=" << threads);
    CHECK(std::memcmp(one.y.data(), many.y.data(), sizeof(float) * one.y.size()) == 0);
    CHECK(std::memcmp(one.dx.data(), many.dx.data(), sizeof(float) * one.dx.size()) == 0);
    CHECK(std::memcmp(one.grads.data(), many.grads.data(), sizeof(float) * one.grads.size()) == 0);
  }
}
