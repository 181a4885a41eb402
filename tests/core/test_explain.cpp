// The Draw view's explanations on whole networks: the input gradient (backward run
// down to the input) and the cross-entropy's input gradient that fooling follows,
// each against finite differences; occlusion on a hand-made model; fooling itself.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>

#include "nn/explain/fool.h"
#include "nn/explain/saliency.h"
#include "nn/model/spec.h"
#include "nn/train/loss.h"
#include "nn/util/check.h"
#include "nn/util/rng.h"
#include "nn/util/types.h"
#include "support/gradcheck.h"

using namespace mnist;
using Catch::Contains;
using mnist::test::rel_error;
using mnist::test::uniform_values;

namespace {

struct InputCheck {
  int checked = 0, skipped = 0;
  double worst = 0;
};

// Compares analytic (784) with central differences of f at `image`, pixel by pixel,
// relative to the larger of the two or to 2% of the largest analytic value (the
// float forward's rounding is about that much of a small derivative). ReLU and max
// pooling make the networks piecewise smooth; where the perturbation crosses a
// kink, the two one-sided differences disagree, and such pixels are skipped (and
// counted) instead of compared: the check stays away from kinks.
InputCheck check_input_gradient(std::vector<float> image, const std::vector<float>& analytic,
                                const std::function<double(const float*)>& f) {
  constexpr float kEps = 2e-3f;
  double largest = 0;
  for (float g : analytic) largest = std::max(largest, double(std::fabs(g)));
  const double floor = 0.02 * largest;
  const double base = f(image.data());
  InputCheck c;
  for (int i = 0; i < kImagePixels; ++i) {
    const float saved = image[size_t(i)];
    image[size_t(i)] = saved + kEps;
    const double up = f(image.data());
    image[size_t(i)] = saved - kEps;
    const double down = f(image.data());
    image[size_t(i)] = saved;
    const double h = double(float(saved + kEps)) - double(saved),
                 l = double(saved) - double(float(saved - kEps));
    const double right = (up - base) / h, left = (base - down) / l;
    if (rel_error(right, left, floor) > 0.05) {
      ++c.skipped;
      continue;
    }
    ++c.checked;
    c.worst = std::max(c.worst, rel_error(analytic[size_t(i)], (up - down) / (h + l), floor));
  }
  return c;
}

std::vector<float> random_image(uint64_t seed) {
  Rng rng(seed);
  return uniform_values(kImagePixels, rng, 0.0f, 1.0f);
}

}  // namespace

TEST_CASE("input_gradient matches finite differences of the class's logit", "[explain]") {
  const char* spec =
      GENERATE("dense(32)-relu-dense(10)", "conv(4,3)-relu-pool(2)-conv(6,3)-relu-pool(2)-flatten-dense(10)",
               "conv(4,3)-pool(2)-bn-relu-flatten-dense(16)-tanh-dense(10)");
  CAPTURE(spec);
  auto net = build_network(spec, 3);
  const auto image = random_image(11);
  for (int cls : {0, 7}) {
    const auto grad = input_gradient(*net, image.data(), cls);
    const auto c = check_input_gradient(
        image, grad, [&](const float* x) { return double(net->forward(x, 1, false)[cls]); });
    CAPTURE(cls, c.checked, c.skipped);
    CHECK(c.checked >= 700);
    CHECK(c.worst < 3e-2);
  }
}

TEST_CASE("loss_input_gradient matches finite differences of the cross-entropy", "[explain]") {
  const char* spec =
      GENERATE("dense(32)-relu-dense(10)", "conv(4,3)-relu-pool(2)-conv(6,3)-relu-pool(2)-flatten-dense(10)");
  CAPTURE(spec);
  auto net = build_network(spec, 5);
  const auto image = random_image(12);
  std::vector<float> grad(kImagePixels);
  const uint8_t label = 4;
  const double loss = loss_input_gradient(*net, image.data(), label, grad.data());
  const auto ce = [&](const float* x) {
    return softmax_cross_entropy(net->forward(x, 1, false), &label, 1, kClasses, nullptr, nullptr);
  };
  CHECK(loss == Approx(ce(image.data())));
  const auto c = check_input_gradient(image, grad, ce);
  CAPTURE(c.checked, c.skipped);
  CHECK(c.checked >= 700);
  CHECK(c.worst < 3e-2);
}

TEST_CASE("input_gradient leaves the parameters alone and refuses a bad class", "[explain]") {
  auto net = build_network("dense(8)-relu-dense(10)", 1);
  const std::vector<float> before(net->params(), net->params() + net->param_count());
  const auto image = random_image(1);
  input_gradient(*net, image.data(), 3);
  CHECK(std::equal(before.begin(), before.end(), net->params()));
  CHECK_THROWS_WITH(input_gradient(*net, image.data(), 10), Contains("0..9"));
  CHECK_THROWS_WITH(occlusion(*net, image.data(), 3, 0), Contains("patch"));
}

TEST_CASE("occlusion on a hand-made linear model gives the exact drops", "[explain]") {
  // logit 0 = the sum of all pixels, every other logit 0.
  auto net = build_network("dense(10)", 1);
  std::fill(net->params(), net->params() + net->param_count(), 0.0f);
  std::fill(net->params(), net->params() + kImagePixels, 1.0f);  // row 0 of W (10, 784)
  // Ink: 16 pixels of patch (row 1, column 2) and 4 pixels of patch (row 5, column 0), all 0.25.
  std::vector<float> image(kImagePixels, 0.0f);
  for (int y = 4; y < 8; ++y)
    for (int x = 8; x < 12; ++x) image[size_t(y * kImageSide + x)] = 0.25f;
  for (int y = 20; y < 22; ++y)
    for (int x = 0; x < 2; ++x) image[size_t(y * kImageSide + x)] = 0.25f;
  const auto p0 = [](double logit) { return std::exp(logit) / (std::exp(logit) + 9.0); };
  const double base = p0(5.0);  // 20 pixels of 0.25
  const auto drops = occlusion(*net, image.data(), 0, 4);
  for (int y = 0; y < kImageSide; ++y)
    for (int x = 0; x < kImageSide; ++x) {
      const bool first = y / 4 == 1 && x / 4 == 2, second = y / 4 == 5 && x / 4 == 0;
      const double want = first ? base - p0(1.0) : second ? base - p0(4.0) : 0.0;
      CAPTURE(x, y);
      CHECK(drops[size_t(y * kImageSide + x)] == Approx(want).margin(1e-6));
    }
  // Patches that do not divide 28: 3x3 squares, the last row and column cut to 1 pixel.
  const auto small = occlusion(*net, image.data(), 0, 3);
  CHECK(small[size_t(27 * kImageSide + 27)] == Approx(0.0).margin(1e-7));
  CHECK(small[size_t(21 * kImageSide + 1)] ==
        Approx(base - p0(4.5)).margin(1e-6));  // square (7, 0): 2 of the pixels
}

TEST_CASE("fool reaches the target within epsilon of the original and the pixel range", "[explain]") {
  auto net = build_network("dense(32)-relu-dense(10)", 2);
  const auto image = random_image(21);
  float probs[kClasses];
  softmax(net->forward(image.data(), 1, false), probs, kClasses);
  const int top = argmax(probs, kClasses), target = (top + 3) % kClasses;
  FoolSettings s;
  s.epsilon = 0.2f;
  s.step = 0.01f;
  s.max_steps = 200;
  const FoolResult r = fool(*net, image.data(), target, s);
  CHECK(r.reached);
  CHECK(r.steps >= 1);
  CHECK(r.steps <= s.max_steps);
  CHECK(argmax(r.probs.data(), kClasses) == target);
  double l1 = 0, linf = 0;
  for (int i = 0; i < kImagePixels; ++i) {
    const double d = std::fabs(double(r.image[size_t(i)]) - image[size_t(i)]);
    CHECK(r.image[size_t(i)] >= 0.0f);
    CHECK(r.image[size_t(i)] <= 1.0f);
    l1 += d;
    linf = std::max(linf, d);
  }
  CHECK(linf <= s.epsilon + 1e-6);
  CHECK(r.linf == Approx(linf));
  CHECK(r.l1 == Approx(l1));
  // The probabilities reported are the model's for the image returned.
  softmax(net->forward(r.image.data(), 1, false), probs, kClasses);
  for (int k = 0; k < kClasses; ++k) CHECK(r.probs[size_t(k)] == Approx(probs[k]));
}

TEST_CASE("fool stops at once when the model already answers the target, and gives up after max_steps",
          "[explain]") {
  auto net = build_network("dense(16)-relu-dense(10)", 4);
  const auto image = random_image(22);
  float probs[kClasses];
  softmax(net->forward(image.data(), 1, false), probs, kClasses);
  const int top = argmax(probs, kClasses);
  FoolSettings s;
  const FoolResult same = fool(*net, image.data(), top, s);
  CHECK(same.reached);
  CHECK(same.steps == 0);
  CHECK(same.l1 == 0.0);
  s.epsilon = 1e-3f;  // too small a budget to move anything far
  s.step = 1e-3f;
  s.max_steps = 3;
  const FoolResult tight = fool(*net, image.data(), (top + 1) % kClasses, s);
  CHECK_FALSE(tight.reached);
  CHECK(tight.steps == 3);
  CHECK(tight.linf <= 1e-3 + 1e-7);
  s.epsilon = 0.0f;
  CHECK_THROWS_WITH(fool(*net, image.data(), 1, s), Contains("epsilon"));
}
