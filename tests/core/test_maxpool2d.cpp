// MaxPool2d: k x k windows, stride k, floor at the edges; the gradient goes to
// each window's winner.
#include <catch2/catch.hpp>

#include "nn/layers/maxpool2d.h"
#include "support/gradcheck.h"

using namespace mnist;
using namespace mnist::test;

TEST_CASE("maxpool2d: forward and backward by hand", "[maxpool2d]") {
  MaxPool2d pool(2);
  BoundLayer b(pool, image_shape(1, 4, 4), 1);
  // x (1x4x4), windows marked by the blank line/column:
  //   1 5 | 2 0
  //   3 4 | 8 6
  //   ----+----
  //   9 0 | 1 2
  //   7 3 | 4 -1
  const std::vector<float> x = {1, 5, 2, 0, 3, 4, 8, 6, 9, 0, 1, 2, 7, 3, 4, -1};
  const std::vector<float> y = b.forward(x, 1);
  CHECK(b.layer.out_shape() == image_shape(1, 2, 2));
  CHECK(y == std::vector<float>{5, 8, 9, 4});
  // dy = [1, 2, 3, 4] lands on the winners: 5 at (0,1), 8 at (1,2), 9 at (2,0), 4 at (3,2).
  const std::vector<float> dx = b.backward(x, y, {1, 2, 3, 4}, 1);
  CHECK(dx == std::vector<float>{0, 1, 0, 0, 0, 0, 2, 0, 3, 0, 0, 0, 0, 0, 4, 0});
}

TEST_CASE("maxpool2d: a row and column that do not fill a window are dropped", "[maxpool2d]") {
  MaxPool2d pool(2);
  BoundLayer b(pool, image_shape(1, 5, 5), 1);
  CHECK(b.layer.out_shape() == image_shape(1, 2, 2));
  // Zeros except pixel (r, c) = r + c over the first 4x4 and 100 in the 5th row and column.
  std::vector<float> x(25);
  for (int r = 0; r < 5; ++r)
    for (int c = 0; c < 5; ++c) x[r * 5 + c] = (r == 4 || c == 4) ? 100.0f : float(r + c);
  // Window maxima are at their bottom-right corners: 1+1, 1+3, 3+1, 3+3.
  CHECK(b.forward(x, 1) == std::vector<float>{2, 4, 4, 6});
}

TEST_CASE("maxpool2d: gradients match finite differences", "[maxpool2d][gradcheck]") {
  const GradTolerance tol;  // eps 0.01; spaced_values keeps window values 0.05 > 4 eps apart
  for (int k : {2, 3}) {
    const int n = 2, C = 2, H = 6, W = 7;
    MaxPool2d pool(k);
    BoundLayer b(pool, image_shape(C, H, W), n);
    Rng rng{uint64_t(k)};
    const LayerGradReport r = check_layer_gradients(b, spaced_values(size_t(n) * C * H * W, rng), n, tol);
    INFO("pool(" << k << "): " << r.input.worst);
    CHECK(r.input.checked == size_t(n) * C * H * W);
    CHECK(r.params.checked == 0);
    CHECK(r.input.max_rel_error < tol.rel_tol);
  }
}

TEST_CASE("maxpool2d: a window larger than the input is rejected", "[maxpool2d]") {
  MaxPool2d pool(4);
  CHECK_THROWS_WITH(pool.configure(image_shape(2, 3, 8)), Catch::Contains("larger than its 2x3x8 input"));
  CHECK_THROWS_WITH(pool.configure(flat_shape(16)), Catch::Contains("flat vector"));
}
