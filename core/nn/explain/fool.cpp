#include "nn/explain/fool.h"

#include <algorithm>
#include <cmath>

#include "nn/explain/saliency.h"
#include "nn/train/loss.h"
#include "nn/util/check.h"
#include "nn/util/types.h"

namespace mnist {

FoolResult fool(Network& net, const float* image, int target, const FoolSettings& s) {
  check(std::isfinite(s.epsilon) && s.epsilon > 0.0f && s.epsilon <= 1.0f, "epsilon must be in (0, 1], got ",
        s.epsilon);
  check(std::isfinite(s.step) && s.step > 0.0f && s.step <= 1.0f, "the step must be in (0, 1], got ", s.step);
  check(s.max_steps >= 0 && s.max_steps <= 10000, "max steps must be 0..10000, got ", s.max_steps);
  check(target >= 0 && target < kClasses, "the target must be 0..9, got ", target);
  FoolResult r;
  r.image.assign(image, image + kImagePixels);
  r.probs.resize(kClasses);
  std::vector<float> grad(kImagePixels);
  for (;;) {
    softmax(net.forward(r.image.data(), 1, false), r.probs.data(), kClasses);
    r.reached = argmax(r.probs.data(), kClasses) == target;
    if (r.reached || r.steps == s.max_steps) break;
    loss_input_gradient(net, r.image.data(), target, grad.data());
    for (int i = 0; i < kImagePixels; ++i) {
      const float g = grad[size_t(i)], sign = g > 0.0f ? 1.0f : g < 0.0f ? -1.0f : 0.0f;
      const float lo = std::max(0.0f, image[i] - s.epsilon), hi = std::min(1.0f, image[i] + s.epsilon);
      r.image[size_t(i)] = std::min(hi, std::max(lo, r.image[size_t(i)] - s.step * sign));
    }
    ++r.steps;
  }
  for (int i = 0; i < kImagePixels; ++i) {
    const double d = std::fabs(double(r.image[size_t(i)]) - image[i]);
    r.l1 += d;
    r.linf = std::max(r.linf, d);
  }
  return r;
}

}  // namespace mnist
