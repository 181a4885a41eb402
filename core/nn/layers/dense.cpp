#include "nn/layers/dense.h"

#include <algorithm>
#include <cmath>

#include "nn/kernels/gemm.h"
#include "nn/util/check.h"

namespace mnist {

std::unique_ptr<Layer> Dense::make(const Token& t) {
  t.expect_args(1, 1, kSyntax.usage);
  return std::make_unique<Dense>(int(t.whole(0, "units", 1, kMaxUnits)));
}

Shape Dense::configure(const Shape& in) {
  check(units_ > 0, token(), ": needs at least one unit");
  in_ = in;
  out_ = flat_shape(units_);
  return out_;
}

void Dense::init(Rng& rng) {
  const int fan_in = in_.size(), fan_out = units_;
  const float std = he_ ? std::sqrt(2.0f / fan_in) : std::sqrt(2.0f / (fan_in + fan_out));
  const size_t nw = size_t(fan_in) * fan_out;
  for (size_t i = 0; i < nw; ++i) w_[i] = std * rng.normal();
  for (int i = 0; i < units_; ++i) w_[nw + i] = 0.0f;
}

// Batch-major buffers are row-major (n, features) matrices; W is (out, in).
// Shared between threads, the forward product and the weight gradient's are cut
// along the units, so thread k computes the same rows of W and dW in both
// (param_rows) and the optimizer updates them on the same core.
void Dense::forward(const float* x, float* y, int n, bool) {
  const int in = in_.size();
  const float* b = w_ + size_t(units_) * in;  // (out)
  // y (n, out) = x (n, in) * W^T (in, out)
  gemm(false, true, n, units_, in, x, in, w_, in, y, units_, false, GemmSplit::kCols);
  for (int s = 0; s < n; ++s) {
    float* ys = y + size_t(s) * units_;
    for (int o = 0; o < units_; ++o) ys[o] += b[o];
  }
}

void Dense::backward(const float* x, const float*, const float* dy, float* dx, int n) {
  const int in = in_.size();
  float* db = dw_ + size_t(units_) * in;  // (out)
  // dW (out, in) = dy^T (out, n) * x (n, in)
  gemm(true, false, units_, in, n, dy, units_, x, in, dw_, in, false, GemmSplit::kRows);
  std::fill(db, db + units_, 0.0f);
  for (int s = 0; s < n; ++s) {
    const float* dys = dy + size_t(s) * units_;
    for (int o = 0; o < units_; ++o) db[o] += dys[o];
  }
  // dx (n, in) = dy (n, out) * W (out, in)
  if (dx) gemm(false, false, n, in, units_, dy, units_, w_, in, dx, in, false);
}

}  // namespace mnist
