// Conv2d: the im2col + GEMM, direct and Winograd paths against the naive
// conv2d_reference, by hand, by finite differences, and chunked against unchunked.
#include <catch2/catch.hpp>

#include <cmath>

#include "nn/layers/conv2d.h"
#include "nn/util/check.h"
#include "support/gradcheck.h"

using namespace mnist;
using namespace mnist::test;

namespace {

const char* path_name(const Conv2d& conv) {
  return conv.direct() ? "direct" : conv.winograd() ? "winograd" : "gemm";
}

// Largest |a - b| relative to the largest |b| (or 1).
double max_rel_diff(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  double diff = 0, scale = 1;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, std::fabs(double(a[i]) - b[i]));
    scale = std::max(scale, std::fabs(double(b[i])));
  }
  return diff / scale;
}

void set_params(BoundLayer& b, std::vector<float> p) {
  REQUIRE(p.size() == b.params.size());
  b.params = std::move(p);
  b.layer.bind(b.params.data(), b.grads.data());
}

}  // namespace

TEST_CASE("conv2d: forward by hand", "[conv2d]") {
  // x: one 1x3x3 image
  //   1 2 3
  //   4 5 6
  //   7 8 9
  const std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9};

  SECTION("valid, asymmetric 2x2 kernel: cross-correlation, not flipped") {
    Conv2d conv(1, 2, false);
    BoundLayer b(conv, image_shape(1, 3, 3), 1);
    // kernel [[1, 2], [0, -1]], bias 0.5
    set_params(b, {1, 2, 0, -1, 0.5f});
    CHECK(b.layer.out_shape() == image_shape(1, 2, 2));
    // (0,0): 1*1 + 2*2 + 0*4 - 5 + 0.5 = 0.5    (0,1): 2 + 2*3 - 6 + 0.5 = 2.5
    // (1,0): 4 + 2*5 - 8 + 0.5 = 6.5            (1,1): 5 + 2*6 - 9 + 0.5 = 8.5
    CHECK(b.forward(x, 1) == std::vector<float>{0.5f, 2.5f, 6.5f, 8.5f});
  }
  SECTION("same, 3x3 box filter: zero padding at the border") {
    Conv2d conv(1, 3, true);
    BoundLayer b(conv, image_shape(1, 3, 3), 1);
    set_params(b, {1, 1, 1, 1, 1, 1, 1, 1, 1, 0});
    // Each output is the sum of the 3x3 neighbourhood that lies inside the image:
    //   1+2+4+5 = 12    1+2+3+4+5+6 = 21        2+3+5+6 = 16
    //   1+2+4+5+7+8 = 27    45    2+3+5+6+8+9 = 33
    //   4+5+7+8 = 24    4+5+6+7+8+9 = 39        5+6+8+9 = 28
    CHECK(b.forward(x, 1) == std::vector<float>{12, 21, 16, 27, 45, 33, 24, 39, 28});
  }
  SECTION("1x1 kernel mixes channels: W is (F, C)") {
    Conv2d conv(2, 1, false);
    BoundLayer b(conv, image_shape(2, 1, 2), 2);
    // W = [[1, 1], [2, -1]], b = [0, 1]
    set_params(b, {1, 1, 2, -1, 0, 1});
    // sample 0: channel 0 = [1, 2], channel 1 = [3, 4]; sample 1 all zeros.
    const std::vector<float> y = b.forward({1, 2, 3, 4, 0, 0, 0, 0}, 2);
    // f0 = x0 + x1 = [4, 6]; f1 = 2 x0 - x1 + 1 = [0, 1]; sample 1 is the bias alone.
    CHECK(y == std::vector<float>{4, 6, 0, 1, 0, 0, 1, 1});
  }
}

TEST_CASE("conv2d: the im2col + GEMM and direct paths equal conv2d_reference", "[conv2d]") {
  const int n = 3, H = 7, W = 9;  // not square, so a swapped H/W shows
  for (Conv2d::Path path : {Conv2d::Path::gemm, Conv2d::Path::direct})
    for (int C : {1, 3})
      for (int F : {1, 4, 6})
        for (int K : {1, 3, 5})
          for (bool same : {false, true}) {
            Conv2d conv(F, K, same);
            conv.set_path(path);
            BoundLayer b(conv, image_shape(C, H, W), n, uint64_t(C * 100 + F * 10 + K));
            Rng rng(11);
            // Random biases too, so the bias path is compared.
            for (int f = 0; f < F; ++f) b.params[size_t(F) * C * K * K + f] = rng.uniform(-1, 1);
            const std::vector<float> x = uniform_values(size_t(n) * C * H * W, rng);
            const std::vector<float> y = b.forward(x, n);
            const int pad = same ? (K - 1) / 2 : 0;
            const int OH = H + 2 * pad - K + 1, OW = W + 2 * pad - K + 1;
            REQUIRE(b.layer.out_shape() == image_shape(F, OH, OW));
            std::vector<float> ref(size_t(n) * F * OH * OW);
            conv2d_reference(x.data(), b.params.data(), ref.data(), n, C, H, W, F, K, pad);
            INFO(path_name(conv) << " C=" << C << " F=" << F << " K=" << K << (same ? " same" : " valid"));
            REQUIRE(conv.direct() == (path == Conv2d::Path::direct));
            REQUIRE(!conv.winograd());
            CHECK(max_rel_diff(y, ref) < 1e-5);
          }
}

// Odd and even output sizes (the last 2x2 tiles hang over an odd edge), valid
// and same, channel and filter counts from one vector of four upwards.
// One sample predicted (not training) goes through im2col + GEMM instead; it
// must give the same result.
TEST_CASE("conv2d: the Winograd path equals conv2d_reference", "[conv2d][winograd]") {
  for (int n : {1, 3})
    for (int tile : {2, 4})
      for (int C : {4, 8})
        for (int F : {4, 12})
          for (int H : {5, 6, 9})
            for (int W : {7, 8})
              for (bool same : {false, true}) {
                Conv2d conv(F, 3, same);
                conv.set_path(Conv2d::Path::winograd);
                conv.set_winograd_tile(tile);
                BoundLayer b(conv, image_shape(C, H, W), n, uint64_t(C * 100 + F * 10 + H + W));
                Rng rng(13);
                for (int f = 0; f < F; ++f) b.params[size_t(F) * C * 9 + f] = rng.uniform(-1, 1);
                const std::vector<float> x = uniform_values(size_t(n) * C * H * W, rng);
                const std::vector<float> y = b.forward(x, n);
                const int pad = same ? 1 : 0;
                const int OH = H + 2 * pad - 2, OW = W + 2 * pad - 2;
                REQUIRE(b.layer.out_shape() == image_shape(F, OH, OW));
                std::vector<float> ref(size_t(n) * F * OH * OW);
                conv2d_reference(x.data(), b.params.data(), ref.data(), n, C, H, W, F, 3, pad);
                INFO("n=" << n << " F(" << tile << ",3) C=" << C << " F=" << F << " " << H << "x" << W
                          << (same ? " same" : " valid"));
                REQUIRE(conv.winograd());
                CHECK(max_rel_diff(y, ref) < 1e-5);
              }
}

TEST_CASE("conv2d: the path is chosen by shape unless forced", "[conv2d][winograd]") {
  struct Case {
    int C, F, K;
    const char* path;
  };
  // cnn's first layer (1 channel) is direct, its second (32 -> 64, 3x3) Winograd;
  // 5x5 kernels, channel counts that are not multiples of 4, or too few channels
  // for Winograd to pay stay on im2col + GEMM.
  const Case cases[] = {{1, 32, 3, "direct"}, {32, 64, 3, "winograd"}, {16, 16, 3, "winograd"},
                        {6, 16, 5, "gemm"},   {8, 24, 3, "gemm"},      {18, 64, 3, "gemm"},
                        {32, 10, 3, "gemm"}};
  for (const Case& c : cases) {
    Conv2d conv(c.F, c.K, false);
    conv.configure(image_shape(c.C, 13, 13));
    INFO(c.C << " channels, " << c.F << " filters, " << c.K << "x" << c.K);
    CHECK(std::string(path_name(conv)) == c.path);
  }
  Conv2d five(8, 5, false), odd(6, 3, false);
  five.set_path(Conv2d::Path::winograd);
  odd.set_path(Conv2d::Path::winograd);
  CHECK_THROWS_WITH(five.configure(image_shape(8, 9, 9)),
                    Catch::Contains("Winograd path needs a 3x3 kernel"));
  CHECK_THROWS_WITH(odd.configure(image_shape(8, 9, 9)), Catch::Contains("multiples of 4"));
}

TEST_CASE("conv2d: gradients match finite differences", "[conv2d][gradcheck]") {
  struct Case {
    int C, H, W, F, K;
    bool same;
  };
  const Case cases[] = {{1, 5, 5, 2, 3, false}, {2, 4, 5, 3, 3, true}, {3, 3, 4, 2, 1, false},
                        {2, 5, 4, 2, 5, true},  {1, 6, 7, 5, 3, true}, {4, 5, 6, 8, 3, false},
                        {8, 4, 5, 4, 3, true}};
  const GradTolerance tol = linear_tolerance();
  // The Winograd path twice: F(2x2,3x3) (tile 2) and F(4x4,3x3) (tile 4).
  for (int variant = 0; variant < 4; ++variant)
    for (const Case& c : cases) {
      const Conv2d::Path path = variant == 0   ? Conv2d::Path::gemm
                                : variant == 1 ? Conv2d::Path::direct
                                               : Conv2d::Path::winograd;
      if (path == Conv2d::Path::winograd && (c.K != 3 || c.C % 4 || c.F % 4)) continue;
      const int n = 2;
      Conv2d conv(c.F, c.K, c.same);
      conv.set_path(path);
      conv.set_winograd_tile(variant == 2 ? 2 : 4);
      BoundLayer b(conv, image_shape(c.C, c.H, c.W), n, 21);
      Rng rng(5);
      for (int f = 0; f < c.F; ++f) b.params[size_t(c.F) * c.C * c.K * c.K + f] = rng.uniform(-1, 1);
      const LayerGradReport r =
          check_layer_gradients(b, uniform_values(size_t(n) * c.C * c.H * c.W, rng), n, tol);
      INFO(path_name(conv) << (variant == 2 ? " F(2,3) " : " ") << conv.token() << " on " << c.C << "x" << c.H
                           << "x" << c.W << ": " << r.input.worst << " / " << r.params.worst);
      CHECK(r.input.checked == size_t(n) * c.C * c.H * c.W);
      CHECK(r.params.checked == size_t(c.F) * c.C * c.K * c.K + c.F);
      CHECK(r.input.max_rel_error < tol.rel_tol);
      CHECK(r.params.max_rel_error < tol.rel_tol);
    }
}

TEST_CASE("conv2d: a batch split into chunks gives the unchunked result", "[conv2d]") {
  const int n = 5, C = 2, H = 6, W = 5, K = 3;
  for (bool same : {false, true}) {
    const int pad = same ? 1 : 0;
    const size_t per_sample = size_t(C) * K * K * (H + 2 * pad - K + 1) * (W + 2 * pad - K + 1);
    // Chunks of 2 samples (2, 2, 1) and of 1 (the budget below one sample rounds up to one).
    for (size_t budget : {2 * per_sample, size_t(1)}) {
      Conv2d whole(3, K, same), chunked(3, K, same);
      whole.set_path(Conv2d::Path::gemm);  // the direct path has no chunks
      chunked.set_path(Conv2d::Path::gemm);
      chunked.set_col_budget(budget);
      BoundLayer bw(whole, image_shape(C, H, W), n, 8), bc(chunked, image_shape(C, H, W), n, 8);
      REQUIRE(bw.params == bc.params);
      Rng rng(9);
      const std::vector<float> x = uniform_values(size_t(n) * C * H * W, rng);
      const std::vector<float> dy = uniform_values(size_t(n) * bw.out_size(), rng);
      const std::vector<float> yw = bw.forward(x, n), yc = bc.forward(x, n);
      const std::vector<float> dxw = bw.backward(x, yw, dy, n), dxc = bc.backward(x, yc, dy, n);
      INFO((same ? "same" : "valid") << ", budget " << budget << " floats");
      CHECK(max_rel_diff(yc, yw) < 1e-6);
      CHECK(max_rel_diff(dxc, dxw) < 1e-6);
      CHECK(max_rel_diff(bc.grads, bw.grads) < 1e-6);
      // And both agree with the oracle.
      std::vector<float> ref(yw.size());
      conv2d_reference(x.data(), bw.params.data(), ref.data(), n, C, H, W, 3, K, pad);
      CHECK(max_rel_diff(yc, ref) < 1e-5);
    }
  }
}

// The Winograd path chunked (1 and 2 samples at a time) and whole (10 samples:
// blocks of 8 and 2), against im2col + GEMM: outputs, input gradients and
// parameter gradients.
TEST_CASE("conv2d: the Winograd path, chunked or not, gives im2col's gradients", "[conv2d][winograd]") {
  const int n = 10, C = 8, F = 4, H = 7, W = 6;
  for (int tile : {2, 4})
    for (bool same : {false, true}) {
      const WinogradShape shape(C, F, H, W, same ? 1 : 0, tile);
      const size_t per_sample = size_t(shape.positions()) * shape.tiles() * C;  // V's floats per sample
      for (size_t budget : {size_t(1), per_sample, size_t(1) << 22}) {          // chunks of 1, 2, all 10
        Conv2d gemm_conv(F, 3, same), wino(F, 3, same);
        gemm_conv.set_path(Conv2d::Path::gemm);
        wino.set_path(Conv2d::Path::winograd);
        wino.set_winograd_tile(tile);
        wino.set_col_budget(budget);
        BoundLayer bg(gemm_conv, image_shape(C, H, W), n, 4), bw(wino, image_shape(C, H, W), n, 4);
        REQUIRE(bg.params == bw.params);
        Rng rng(17);
        for (int f = 0; f < F; ++f) bg.params[size_t(F) * C * 9 + f] = rng.uniform(-1, 1);
        bw.params = bg.params;  // same size: the layer's pointer stays valid
        const std::vector<float> x = uniform_values(size_t(n) * C * H * W, rng);
        const std::vector<float> dy = uniform_values(size_t(n) * bg.out_size(), rng);
        const std::vector<float> yg = bg.forward(x, n), yw = bw.forward(x, n);
        const std::vector<float> dxg = bg.backward(x, yg, dy, n), dxw = bw.backward(x, yw, dy, n);
        INFO("F(" << tile << ",3) " << (same ? "same" : "valid") << ", budget " << budget << " floats");
        REQUIRE(wino.winograd());
        CHECK(max_rel_diff(yw, yg) < 1e-5);
        CHECK(max_rel_diff(dxw, dxg) < 1e-5);
        CHECK(max_rel_diff(bw.grads, bg.grads) < 1e-5);
      }
    }
}

// A prediction of two samples on a Winograd layer runs im2col; a backward right
// after it (nothing in training does that, but nothing forbids it) must still
// use the current weights and inputs, not the transforms of an earlier batch.
TEST_CASE("conv2d: a backward after a small prediction on a Winograd layer", "[conv2d][winograd]") {
  const int C = 8, F = 4, H = 6, W = 7;
  Conv2d gemm_conv(F, 3, false), wino(F, 3, false);
  gemm_conv.set_path(Conv2d::Path::gemm);
  wino.set_path(Conv2d::Path::winograd);
  BoundLayer bg(gemm_conv, image_shape(C, H, W), 5, 4), bw(wino, image_shape(C, H, W), 5, 4);
  Rng rng(23);
  // An earlier training batch leaves its transforms behind...
  const std::vector<float> x5 = uniform_values(size_t(5) * C * H * W, rng);
  bw.forward(x5, 5, true);
  // ...then the weights move and two samples are predicted.
  for (size_t i = 0; i < bw.params.size(); ++i) bg.params[i] = bw.params[i] += 0.1f * rng.uniform(-1, 1);
  const std::vector<float> x = uniform_values(size_t(2) * C * H * W, rng);
  const std::vector<float> dy = uniform_values(size_t(2) * bg.out_size(), rng);
  const std::vector<float> yg = bg.forward(x, 2), yw = bw.forward(x, 2);
  const std::vector<float> dxg = bg.backward(x, yg, dy, 2), dxw = bw.backward(x, yw, dy, 2);
  CHECK(max_rel_diff(yw, yg) < 1e-5);
  CHECK(max_rel_diff(dxw, dxg) < 1e-5);
  CHECK(max_rel_diff(bw.grads, bg.grads) < 1e-5);
}

TEST_CASE("conv2d: shapes that cannot work are rejected", "[conv2d]") {
  Conv2d even_same(2, 4, true), too_big(2, 6, false), after_flatten(2, 3, false);
  CHECK_THROWS_WITH(even_same.configure(image_shape(1, 8, 8)), Catch::Contains("odd kernel"));
  CHECK_THROWS_WITH(too_big.configure(image_shape(1, 5, 5)), Catch::Contains("larger than its 1x5x5 input"));
  CHECK_THROWS_WITH(after_flatten.configure(flat_shape(64)), Catch::Contains("flat vector of 64"));
}
