// AvgPool2d (k x k windows, stride k, floor at the edges) and GlobalAvgPool
// (one mean per channel): by hand, against the written-out definition, and
// against finite differences.
#include <catch2/catch.hpp>

#include "nn/layers/avgpool2d.h"
#include "support/gradcheck.h"
#include "support/ulps.h"

using namespace mnist;
using namespace mnist::test;

TEST_CASE("avgpool2d: forward and backward by hand", "[avgpool2d]") {
  AvgPool2d pool(2);
  BoundLayer b(pool, image_shape(1, 4, 4), 1);
  //   1 5 | 2 0
  //   3 7 | 8 6
  //   ----+----
  //   9 0 | 1 2
  //   7 4 | 4 -3
  const std::vector<float> x = {1, 5, 2, 0, 3, 7, 8, 6, 9, 0, 1, 2, 7, 4, 4, -3};
  const std::vector<float> y = b.forward(x, 1);
  CHECK(b.layer.out_shape() == image_shape(1, 2, 2));
  CHECK(y == std::vector<float>{4, 4, 5, 1});
  // Each dy is shared evenly by the four pixels of its window.
  const std::vector<float> dx = b.backward(x, y, {4, 8, -4, 2}, 1);
  CHECK(dx == std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, -1, -1, 0.5f, 0.5f, -1, -1, 0.5f, 0.5f});
}

TEST_CASE("avgpool2d: a row and column that do not fill a window are dropped and get no gradient",
          "[avgpool2d]") {
  AvgPool2d pool(3);
  BoundLayer b(pool, image_shape(1, 4, 5), 1);
  CHECK(b.layer.out_shape() == image_shape(1, 1, 1));
  std::vector<float> x(20, 100.0f);  // the edge (row 3, columns 3-4) is 100
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) x[r * 5 + c] = float(r * 3 + c);  // 0..8, mean 4
  CHECK(b.forward(x, 1) == std::vector<float>{4});
  const std::vector<float> dx = b.backward(x, {4}, {9}, 1);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 5; ++c) CHECK(dx[r * 5 + c] == (r < 3 && c < 3 ? 1.0f : 0.0f));
}

TEST_CASE("avgpool2d: the layer matches the written-out definition", "[avgpool2d]") {
  struct Case {
    int n, C, H, W, k;
  };
  for (const Case c : {Case{1, 1, 4, 4, 2}, Case{3, 2, 7, 9, 2}, Case{2, 3, 9, 8, 3}, Case{1, 4, 5, 5, 5},
                       Case{2, 2, 6, 5, 1}}) {
    AvgPool2d pool(c.k);
    BoundLayer b(pool, image_shape(c.C, c.H, c.W), c.n);
    Rng rng{uint64_t(c.H * 31 + c.k)};
    const std::vector<float> x = uniform_values(size_t(c.n) * c.C * c.H * c.W, rng);
    const std::vector<float> dy = uniform_values(size_t(c.n) * b.out_size(), rng);
    std::vector<float> y_ref(dy.size()), dx_ref(x.size());
    avgpool2d_reference_forward(x.data(), y_ref.data(), c.n, c.C, c.H, c.W, c.k);
    avgpool2d_reference_backward(dy.data(), dx_ref.data(), c.n, c.C, c.H, c.W, c.k);
    const std::vector<float> y = b.forward(x, c.n);
    INFO("n=" << c.n << " C=" << c.C << " " << c.H << "x" << c.W << " k=" << c.k);
    // The layer sums k² floats in float and scales by 1/k², the oracle sums in
    // double and divides: a few ulps apart, never more.
    CHECK(max_ulps_apart(y, y_ref) <= 8);
    CHECK(max_ulps_apart(b.backward(x, y, dy, c.n), dx_ref) <= 2);
  }
}

TEST_CASE("avgpool2d and gap: gradients match finite differences", "[avgpool2d][gradcheck]") {
  const GradTolerance tol = linear_tolerance();  // both are linear in x: no kinks
  const int n = 2, C = 3, H = 6, W = 7;
  for (int k : {2, 3}) {
    AvgPool2d pool(k);
    BoundLayer b(pool, image_shape(C, H, W), n);
    Rng rng{uint64_t(k)};
    const LayerGradReport r = check_layer_gradients(b, uniform_values(size_t(n) * C * H * W, rng), n, tol);
    INFO("avgpool(" << k << "): " << r.input.worst);
    CHECK(r.input.checked == size_t(n) * C * H * W);
    CHECK(r.params.checked == 0);
    CHECK(r.input.max_rel_error < tol.rel_tol);
  }
  GlobalAvgPool gap;
  BoundLayer b(gap, image_shape(C, H, W), n);
  Rng rng{5};
  const LayerGradReport r = check_layer_gradients(b, uniform_values(size_t(n) * C * H * W, rng), n, tol);
  INFO("gap: " << r.input.worst);
  CHECK(r.input.checked == size_t(n) * C * H * W);
  CHECK(r.input.max_rel_error < tol.rel_tol);
}

TEST_CASE("gap: one mean per channel, and each pixel gets its share of the gradient", "[avgpool2d]") {
  GlobalAvgPool gap;
  BoundLayer b(gap, image_shape(2, 2, 3), 2);
  CHECK(b.layer.out_shape() == image_shape(2, 1, 1));
  // Sample 0: channel 0 is 0..5 (mean 2.5), channel 1 all 7; sample 1: negated.
  std::vector<float> x = {0, 1, 2, 3, 4, 5, 7, 7, 7, 7, 7, 7};
  for (int i = 0; i < 12; ++i) x.push_back(-x[size_t(i)]);
  const std::vector<float> y = b.forward(x, 2);
  CHECK(y == std::vector<float>{2.5f, 7, -2.5f, -7});
  const std::vector<float> dx = b.backward(x, y, {6, 12, -3, 0}, 2);
  for (int i = 0; i < 24; ++i) CHECK(dx[size_t(i)] == std::vector<float>{1, 2, -0.5f, 0}[size_t(i / 6)]);
}

TEST_CASE("avgpool2d and gap: flat inputs and windows larger than the input are refused", "[avgpool2d]") {
  AvgPool2d pool(4);
  CHECK_THROWS_WITH(pool.configure(image_shape(2, 3, 8)),
                    Catch::Contains("avgpool(4): the window is larger than its 2x3x8 input"));
  CHECK_THROWS_WITH(pool.configure(flat_shape(16)), Catch::Contains("flat vector of 16"));
  AvgPool2d zero(0);
  CHECK_THROWS_WITH(zero.configure(image_shape(1, 4, 4)), Catch::Contains("at least 1"));
  GlobalAvgPool gap;
  CHECK_THROWS_WITH(gap.configure(flat_shape(10)), Catch::Contains("gap: needs a CxHxW input"));
}
