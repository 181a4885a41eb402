// One recorded SGD step: what it records is what the network computed, the change
// it reports is -lr times the gradient, and the weights afterwards are moved by it.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "nn/explain/step_trace.h"
#include "nn/model/spec.h"
#include "nn/train/loss.h"
#include "nn/util/check.h"
#include "nn/util/rng.h"
#include "nn/util/types.h"
#include "support/gradcheck.h"

using namespace mnist;
using Catch::Contains;

TEST_CASE("step_trace records a plain SGD step layer by layer", "[step_trace]") {
  const char* spec =
      GENERATE("conv(2,3)-relu-pool(2)-flatten-dense(12)-relu-dense(10)", "dense(16)-tanh-dense(10)");
  CAPTURE(spec);
  auto net = build_network(spec, 9);
  auto twin = build_network(spec, 9);  // the same weights, for an independent forward and backward
  Rng rng(4);
  const auto image = test::uniform_values(kImagePixels, rng, 0.0f, 1.0f);
  const std::vector<float> before(net->params(), net->params() + net->param_count());
  const uint8_t label = 6;
  constexpr float kLr = 0.05f;

  const float* logits = twin->forward(image.data(), 1, false);
  float probs[kClasses], dlogits[kClasses];
  const double loss = softmax_cross_entropy(logits, &label, 1, kClasses, probs, dlogits);
  std::vector<std::vector<float>> outputs;
  for (size_t i = 0; i < twin->layer_count(); ++i) {
    const float* a = twin->activation(i);
    outputs.emplace_back(a, a + twin->layer(i).out_shape().size());
  }
  twin->backward(dlogits, 1);

  const StepTrace t = step_trace(*net, image.data(), label, kLr);
  CHECK(t.loss == loss);
  REQUIRE(t.layers.size() == net->layer_count());
  for (int k = 0; k < kClasses; ++k) CHECK(t.probs[size_t(k)] == probs[k]);
  const auto& last = t.layers.back().output_grad;
  REQUIRE(last.size() == size_t(kClasses));
  for (int k = 0; k < kClasses; ++k) CHECK(last[size_t(k)] == dlogits[k]);
  for (size_t i = 0; i < t.layers.size(); ++i) {
    const TraceLayer& l = t.layers[i];
    CAPTURE(i);
    CHECK(l.output == outputs[i]);
    CHECK(l.output_grad.size() == l.output.size());
    const size_t at = net->param_offset(i), n = net->layer(i).param_count();
    REQUIRE(l.grad.size() == n);
    REQUIRE(l.change.size() == n);
    for (size_t k = 0; k < n; ++k) {
      CHECK(l.grad[k] == twin->grads()[at + k]);
      CHECK(l.change[k] == -kLr * l.grad[k]);
      CHECK(net->params()[at + k] == before[at + k] + l.change[k]);
    }
  }
  // A layer's output gradient is the next layer's input gradient: for a ReLU, dy
  // passes where its output is positive and stops elsewhere.
  for (size_t i = 1; i < t.layers.size(); ++i)
    if (net->layer(i).kind() == "relu")
      for (size_t k = 0; k < t.layers[i].output.size(); ++k)
        CHECK(t.layers[i - 1].output_grad[k] ==
              (t.layers[i].output[k] > 0 ? t.layers[i].output_grad[k] : 0.0f));
  // The step lowered this digit's loss.
  float after[kClasses];
  const double loss_after =
      softmax_cross_entropy(net->forward(image.data(), 1, false), &label, 1, kClasses, after, nullptr);
  CHECK(loss_after < loss);
}

TEST_CASE("step_trace refuses a bad label or rate and leaves the weights", "[step_trace]") {
  auto net = build_network("dense(10)", 1);
  const std::vector<float> image(kImagePixels, 0.5f),
      before(net->params(), net->params() + net->param_count());
  CHECK_THROWS_WITH(step_trace(*net, image.data(), 10, 0.1f), Contains("0..9"));
  CHECK_THROWS_WITH(step_trace(*net, image.data(), 1, 0.0f), Contains("learning rate"));
  CHECK(std::vector<float>(net->params(), net->params() + net->param_count()) == before);
}
