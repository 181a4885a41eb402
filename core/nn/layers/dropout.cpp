#include "nn/layers/dropout.h"

#include <algorithm>

#include "nn/util/check.h"
#include "nn/util/text.h"

namespace mnist {

std::unique_ptr<Layer> Dropout::make(const Token& t) {
  t.expect_args(0, 1, "dropout or dropout(P)");
  return std::make_unique<Dropout>(t.has_parens ? t.rate(0) : 0.5f);
}

// The rate in its shortest exact form, so that the token parses back to this very
// rate (0.9999999 printed with six digits would read back as 1, which is refused).
std::string Dropout::token() const { return "dropout(" + shortest_float(p_) + ")"; }

Shape Dropout::configure(const Shape& in) {
  check(p_ >= 0.0f && p_ < 1.0f, token(), ": the rate must be in [0, 1)");
  in_ = out_ = in;
  return out_;
}

void Dropout::forward(const float* x, float* y, int n, bool training) {
  const size_t len = size_t(n) * in_.size();
  last_training_ = training && p_ > 0.0f;
  if (!last_training_) {
    std::copy(x, x + len, y);
    return;
  }
  const float keep_scale = 1.0f / (1.0f - p_);
  for (size_t i = 0; i < len; ++i) {
    mask_[i] = rng_->uniform() >= p_ ? keep_scale : 0.0f;
    y[i] = x[i] * mask_[i];
  }
}

void Dropout::backward(const float*, const float*, const float* dy, float* dx, int n) {
  if (!dx) return;
  const size_t len = size_t(n) * in_.size();
  if (!last_training_) {
    std::copy(dy, dy + len, dx);
    return;
  }
  for (size_t i = 0; i < len; ++i) dx[i] = dy[i] * mask_[i];
}

}  // namespace mnist
