// Dense: y = W x + b, W (out, in) row-major then b (out) in the arena.
#include <catch2/catch.hpp>

#include "nn/layers/dense.h"
#include "support/gradcheck.h"

using namespace mnist;
using namespace mnist::test;

TEST_CASE("dense: forward and backward by hand", "[dense]") {
  Dense dense(2);
  BoundLayer b(dense, flat_shape(2), 2);
  // W = [[1, 2], [3, -1]], b = [0.5, -1]
  b.params = {1, 2, 3, -1, 0.5f, -1};
  dense.bind(b.params.data(), b.grads.data());
  // x: (2 samples, 2) = [1, -2], [0.5, 1]
  const std::vector<float> x = {1, -2, 0.5f, 1};
  const std::vector<float> y = b.forward(x, 2);
  // sample 0: 1*1 + 2*(-2) + 0.5 = -2.5    3*1 + (-1)*(-2) - 1 = 4
  // sample 1: 1*0.5 + 2*1 + 0.5 = 3        3*0.5 + (-1)*1 - 1 = -0.5
  CHECK(y == std::vector<float>{-2.5f, 4, 3, -0.5f});

  // dy = [1, 0], [0, 2]
  const std::vector<float> dx = b.backward(x, y, {1, 0, 0, 2}, 2);
  // dW = sum_s dy_s x_s^T = [[1, -2], [0, 0]] + [[0, 0], [1, 2]] = [[1, -2], [1, 2]]
  // db = [1, 2]
  CHECK(b.grads == std::vector<float>{1, -2, 1, 2, 1, 2});
  // dx_s = W^T dy_s: [1, 2] and [6, -2]
  CHECK(dx == std::vector<float>{1, 2, 6, -2});
}

TEST_CASE("dense: gradients match finite differences", "[dense][gradcheck]") {
  Rng rng(3);
  const int n = 3;
  const GradTolerance tol = linear_tolerance();
  SECTION("flat input") {
    Dense dense(4);
    BoundLayer b(dense, flat_shape(5), n);
    const LayerGradReport r = check_layer_gradients(b, uniform_values(size_t(n) * 5, rng), n, tol);
    CHECK(r.input.checked == size_t(n) * 5);
    CHECK(r.params.checked == 4 * 5 + 4);
    INFO(r.input.worst << " / " << r.params.worst);
    CHECK(r.input.max_rel_error < tol.rel_tol);
    CHECK(r.params.max_rel_error < tol.rel_tol);
  }
  SECTION("image input, flattened implicitly") {
    Dense dense(3);
    BoundLayer b(dense, image_shape(2, 2, 3), n);
    CHECK(b.layer.out_shape() == flat_shape(3));
    const LayerGradReport r = check_layer_gradients(b, uniform_values(size_t(n) * 12, rng), n, tol);
    CHECK(r.params.checked == 3 * 12 + 3);
    INFO(r.input.worst << " / " << r.params.worst);
    CHECK(r.input.max_rel_error < tol.rel_tol);
    CHECK(r.params.max_rel_error < tol.rel_tol);
  }
}

TEST_CASE("dense: init is seeded, biases start at zero", "[dense]") {
  Dense a(8), c(8);
  BoundLayer ba(a, flat_shape(16), 1, 5), bc(c, flat_shape(16), 1, 5);
  CHECK(ba.params == bc.params);
  for (int i = 0; i < 8; ++i) CHECK(ba.params[16 * 8 + i] == 0.0f);
  Dense d(8);
  BoundLayer bd(d, flat_shape(16), 1, 6);
  CHECK(bd.params != ba.params);
}
