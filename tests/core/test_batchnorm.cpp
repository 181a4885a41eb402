// Batch normalisation: batch statistics in training, running ones at
// evaluation, and gradients against finite differences.
#include <catch2/catch.hpp>

#include <cmath>

#include "nn/layers/batchnorm.h"
#include "nn/model/spec.h"
#include "support/bound_layer.h"
#include "support/gradcheck.h"

using namespace mnist;
using namespace mnist::test;

TEST_CASE("bn: training normalises each channel over the batch and positions", "[bn]") {
  BatchNorm bn;
  BoundLayer b(bn, image_shape(2, 1, 2), 2);
  // Channel 0 holds 1 2 | 3 4 (mean 2.5, variance 1.25); channel 1 holds 10 10 | 10 10.
  const std::vector<float> x = {1, 2, 10, 10, 3, 4, 10, 10};
  b.params[0] = 2.0f;  // gamma of channel 0
  b.params[3] = 0.5f;  // beta of channel 1
  const std::vector<float> y = b.forward(x, 2, true);
  const float s = 1.0f / std::sqrt(1.25f + BatchNorm::kEps);
  const std::vector<float> want = {2 * -1.5f * s, 2 * -0.5f * s, 0.5f, 0.5f,
                                   2 * 0.5f * s,  2 * 1.5f * s,  0.5f, 0.5f};
  for (size_t i = 0; i < y.size(); ++i) CHECK(y[i] == Approx(want[i]).margin(1e-6));
  // Running statistics (mean, then variance, per channel) move a tenth of the
  // way to the batch's (unbiased variance).
  CHECK(b.state[0] == Approx(0.25f));
  CHECK(b.state[1] == Approx(1.0f));
  CHECK(b.state[2] == Approx(0.9f + 0.1f * 1.25f * 4 / 3));
  CHECK(b.state[3] == Approx(0.9f));
}

TEST_CASE("bn: evaluation uses the running statistics, one sample at a time alike", "[bn]") {
  BatchNorm bn;
  BoundLayer b(bn, flat_shape(2), 3);
  b.params = {2.0f, 1.0f, 0.5f, -1.0f};  // gamma, beta
  b.state = {1.0f, 4.0f, 4.0f, 9.0f};    // running mean, running variance
  const std::vector<float> x = {3, 5, -1, 2, 0, 0};
  const std::vector<float> y = b.forward(x, 3, false);
  for (int s = 0; s < 3; ++s) {
    CHECK(y[s * 2] == Approx(2 * (x[s * 2] - 1) / std::sqrt(4 + BatchNorm::kEps) + 0.5f));
    CHECK(y[s * 2 + 1] == Approx((x[s * 2 + 1] - 4) / std::sqrt(9 + BatchNorm::kEps) - 1));
    // The same sample alone gives the same answer.
    const std::vector<float> one = b.forward({x[s * 2], x[s * 2 + 1]}, 1, false);
    CHECK(one[0] == y[s * 2]);
    CHECK(one[1] == y[s * 2 + 1]);
  }
}

TEST_CASE("bn: gradients match finite differences", "[bn][gradcheck]") {
  Rng rng(11);
  GradTolerance tol;
  tol.eps = 1e-2;
  tol.rel_tol = 2e-2;  // not linear in x: central differences carry O(eps^2) error
  for (const Shape& in : {image_shape(3, 2, 3), flat_shape(5)}) {
    INFO("input " << in.str());
    const int n = 4;
    BatchNorm bn;
    BoundLayer b(bn, in, n);
    const int C = in.c;
    for (int c = 0; c < 2 * C; ++c) b.params[c] = rng.uniform(-1.5f, 1.5f);  // gamma and beta
    const LayerGradReport r = check_layer_gradients(b, uniform_values(size_t(n) * in.size(), rng), n, tol);
    INFO(r.input.worst << " / " << r.params.worst);
    CHECK(r.input.checked == size_t(n) * in.size());
    CHECK(r.params.checked == 2 * size_t(C));  // gamma and beta; the running statistics are state
    CHECK(r.input.max_rel_error < tol.rel_tol);
    CHECK(r.params.max_rel_error < tol.rel_tol);
  }
}

TEST_CASE("bn: in a spec, four values per channel: two parameters, two of state", "[bn][spec]") {
  CHECK(count_params("conv(4,3)-bn-relu-flatten-dense(10)") == (4 * 9 + 4) + 4 * 4 + (4 * 26 * 26 * 10 + 10));
  CHECK(count_params("dense(16)-bn-relu-dense(10)") == (784 * 16 + 16) + 4 * 16 + (16 * 10 + 10));
  CHECK(inspect_spec("dense(16)-bn-relu-dense(10)").state == 2 * 16);
  const auto net = build_network("dense(16)-bn-relu-dense(10)", 1);
  CHECK(net->param_count() == (784 * 16 + 16) + 2 * 16 + (16 * 10 + 10));
  CHECK(net->state_count() == 2 * 16);
  CHECK(net->total_count() == count_params(net->spec()));
  CHECK(net->param_offset(2) == 784 * 16 + 16 + 2 * 16);  // the dense after it
  CHECK_THROWS_WITH(count_params("dense(16)-bn(2)-dense(10)"), Catch::Contains("bn"));
}
