// Inverted dropout: identity at evaluation; in training, units dropped with
// probability p and the kept ones scaled by 1/(1-p).
#include <catch2/catch.hpp>

#include <cmath>

#include "nn/layers/dropout.h"
#include "nn/util/check.h"
#include "support/gradcheck.h"

using namespace mnist;
using namespace mnist::test;

TEST_CASE("dropout: identity at evaluation", "[dropout]") {
  Dropout drop(0.5f);
  BoundLayer b(drop, flat_shape(3), 2);
  const std::vector<float> x = {1, -2, 3, 0.5f, 0, -7};
  const std::vector<float> y = b.forward(x, 2, false);
  CHECK(y == x);
  CHECK(b.backward(x, y, {1, 2, 3, 4, 5, 6}, 2) == std::vector<float>{1, 2, 3, 4, 5, 6});
}

TEST_CASE("dropout: by hand at p = 0.5, every unit is 0 or twice its input", "[dropout]") {
  Dropout drop(0.5f);
  BoundLayer b(drop, flat_shape(8), 1);
  const std::vector<float> x = {1, -2, 3, 4, -5, 6, 7, -8};
  const std::vector<float> y = b.forward(x, 1, true);
  for (size_t i = 0; i < x.size(); ++i) {
    INFO("unit " << i);
    CHECK((y[i] == 0.0f || y[i] == 2 * x[i]));
  }
  SECTION("p = 0 is the identity in training too") {
    Dropout none(0.0f);
    BoundLayer bn(none, flat_shape(8), 1);
    CHECK(bn.forward(x, 1, true) == x);
  }
}

TEST_CASE("dropout: drops about p of the units and rescales the rest", "[dropout]") {
  const float p = 0.3f;
  const int n = 20, d = 1000;  // 20000 units: the dropped fraction's sd is 0.0032
  Dropout drop(p);
  BoundLayer b(drop, flat_shape(d), n);
  std::vector<float> x(size_t(n) * d);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 1.0f + float(i % 7);
  const std::vector<float> y = b.forward(x, n, true);
  size_t dropped = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (y[i] == 0.0f) {
      ++dropped;
    } else if (y[i] != Approx(x[i] / (1 - p)).epsilon(1e-6)) {
      FAIL("unit " << i << ": " << y[i] << " is neither 0 nor " << x[i] << " / (1 - p)");
    }
  }
  CHECK(double(dropped) / x.size() == Approx(p).margin(0.015));

  // The mean is preserved in expectation: E[y] = x.
  double sx = 0, sy = 0;
  for (size_t i = 0; i < x.size(); ++i) sx += x[i], sy += y[i];
  CHECK(sy / sx == Approx(1.0).margin(0.02));

  // Backward applies the same mask: dx = dy * y / x.
  const std::vector<float> dy(x.size(), 1.0f);
  const std::vector<float> dx = b.backward(x, y, dy, n);
  for (size_t i = 0; i < x.size(); ++i)
    if (dx[i] != Approx(y[i] / x[i]).epsilon(1e-6))
      FAIL("unit " << i << ": dx " << dx[i] << ", y/x " << y[i] / x[i]);

  // A second forward draws a new mask; re-seeding the generator repeats it.
  CHECK(b.forward(x, n, true) != y);
  b.rng.reseed(1234);
  const std::vector<float> again = b.forward(x, n, true);
  b.rng.reseed(1234);
  CHECK(b.forward(x, n, true) == again);
}

TEST_CASE("dropout: gradients match finite differences with the mask fixed", "[dropout][gradcheck]") {
  Dropout drop(0.4f);
  const int n = 3;
  BoundLayer b(drop, image_shape(2, 3, 3), n);
  Rng rng(4);
  const GradTolerance tol = linear_tolerance();
  const LayerGradReport r = check_layer_gradients(b, uniform_values(size_t(n) * 18, rng), n, tol);
  INFO(r.input.worst);
  CHECK(r.input.checked == size_t(n) * 18);
  CHECK(r.input.max_rel_error < tol.rel_tol);
}

TEST_CASE("dropout: a rate outside 0 to 1 is rejected", "[dropout]") {
  for (float p : {1.0f, 1.5f, -0.1f}) {
    Dropout drop(p);
    CHECK_THROWS_WITH(drop.configure(flat_shape(4)), Catch::Contains("rate must be in [0, 1)"));
  }
}
