// ReLU, sigmoid and tanh: element-wise, backward from the saved output.
#include <catch2/catch.hpp>

#include "nn/layers/activations.h"
#include "support/gradcheck.h"

using namespace mnist;
using namespace mnist::test;

TEST_CASE("activations: forward and backward by hand", "[activations]") {
  SECTION("relu") {
    ActivationLayer relu(Activation::Relu);
    BoundLayer b(relu, flat_shape(4), 1);
    const std::vector<float> x = {-1, 0.5f, -0.25f, 3};
    const std::vector<float> y = b.forward(x, 1);
    CHECK(y == std::vector<float>{0, 0.5f, 0, 3});
    // Gradient passes where the input was positive.
    CHECK(b.backward(x, y, {1, 2, 3, 4}, 1) == std::vector<float>{0, 2, 0, 4});
  }
  SECTION("sigmoid") {
    ActivationLayer sig(Activation::Sigmoid);
    BoundLayer b(sig, flat_shape(3), 1);
    // sigmoid(0) = 1/2; sigmoid(ln 3) = 1/(1 + 1/3) = 3/4; sigmoid(-ln 3) = 1/4
    const std::vector<float> x = {0, std::log(3.0f), -std::log(3.0f)};
    const std::vector<float> y = b.forward(x, 1);
    CHECK(y[0] == Approx(0.5f));
    CHECK(y[1] == Approx(0.75f));
    CHECK(y[2] == Approx(0.25f));
    // sigmoid' = y (1 - y): 1/4, 3/16, 3/16
    const std::vector<float> dx = b.backward(x, y, {1, 1, 2}, 1);
    CHECK(dx[0] == Approx(0.25f));
    CHECK(dx[1] == Approx(0.1875f));
    CHECK(dx[2] == Approx(0.375f));
  }
  SECTION("tanh") {
    ActivationLayer tanh_layer(Activation::Tanh);
    BoundLayer b(tanh_layer, flat_shape(3), 1);
    // tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 3/5; tanh is odd.
    const std::vector<float> x = {0, std::log(2.0f), -std::log(2.0f)};
    const std::vector<float> y = b.forward(x, 1);
    CHECK(y[0] == 0.0f);
    CHECK(y[1] == Approx(0.6f));
    CHECK(y[2] == Approx(-0.6f));
    // tanh' = 1 - y^2: 1, 16/25, 16/25
    const std::vector<float> dx = b.backward(x, y, {1, 1, -1}, 1);
    CHECK(dx[0] == Approx(1.0f));
    CHECK(dx[1] == Approx(0.64f));
    CHECK(dx[2] == Approx(-0.64f));
  }
}

TEST_CASE("activations: gradients match finite differences", "[activations][gradcheck]") {
  const int n = 3;
  const Shape shape = image_shape(2, 3, 4);
  const GradTolerance tol;  // eps 0.01 < the 0.1 that keeps ReLU inputs off the kink
  for (Activation a : {Activation::Relu, Activation::Sigmoid, Activation::Tanh}) {
    ActivationLayer act(a);
    BoundLayer b(act, shape, n);
    Rng rng(17);
    // Relu: |x| >= 0.1 > eps keeps every input on one side of the kink.
    const std::vector<float> x = spaced_values(size_t(n) * shape.size(), rng, 0.03, 0.1);
    const LayerGradReport r = check_layer_gradients(b, x, n, tol);
    INFO(act.token() << ": " << r.input.worst);
    CHECK(b.layer.out_shape() == shape);
    CHECK(r.input.checked == size_t(n) * shape.size());
    CHECK(r.input.max_rel_error < tol.rel_tol);
  }
}

TEST_CASE("activations: saturate without overflow", "[activations]") {
  for (Activation a : {Activation::Sigmoid, Activation::Tanh}) {
    ActivationLayer act(a);
    BoundLayer b(act, flat_shape(4), 1);
    const std::vector<float> y = b.forward({-1000, -90, 90, 1000}, 1);
    const float low = a == Activation::Sigmoid ? 0.0f : -1.0f;
    INFO(act.token());
    CHECK(y[0] == Approx(low));
    CHECK(y[1] == Approx(low));
    CHECK(y[2] == Approx(1.0f));
    CHECK(y[3] == Approx(1.0f));
  }
}
