// Flatten: (n, C, H, W) -> (n, C*H*W), the same memory.
#include <catch2/catch.hpp>

#include "nn/layers/flatten.h"
#include "support/gradcheck.h"

using namespace mnist;
using namespace mnist::test;

TEST_CASE("flatten: by hand", "[flatten]") {
  Flatten flat;
  BoundLayer b(flat, image_shape(2, 1, 2), 2);
  CHECK(b.layer.out_shape() == flat_shape(4));
  CHECK(b.layer.param_count() == 0);
  // Two samples of 2x1x2: channel-major order is kept, sample after sample.
  const std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8};
  const std::vector<float> y = b.forward(x, 2);
  CHECK(y == x);
  CHECK(b.backward(x, y, {8, 7, 6, 5, 4, 3, 2, 1}, 2) == std::vector<float>{8, 7, 6, 5, 4, 3, 2, 1});
}

TEST_CASE("flatten: gradients match finite differences", "[flatten][gradcheck]") {
  Flatten flat;
  const int n = 2;
  BoundLayer b(flat, image_shape(3, 2, 2), n);
  Rng rng(8);
  const GradTolerance tol = linear_tolerance();
  const LayerGradReport r = check_layer_gradients(b, uniform_values(size_t(n) * 12, rng), n, tol);
  INFO(r.input.worst);
  CHECK(r.input.checked == size_t(n) * 12);
  CHECK(r.input.max_rel_error < tol.rel_tol);
}
