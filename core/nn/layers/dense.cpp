#include "nn/layers/dense.h"

#include <cmath>

#include "nn/util/check.h"

namespace mnist {

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

void Dense::forward(const float* x, float* y, int n, bool) {
  const int in = in_.size();
  ConstRowMatMap W(w_, units_, in);                 // (out, in)
  ConstVecMap b(w_ + size_t(units_) * in, units_);  // (out)
  ConstMatMap X(x, in, n);                          // (in, n)
  MatMap Y(y, units_, n);                           // (out, n)
  Y.noalias() = W * X;
  Y.colwise() += b;
}

void Dense::backward(const float* x, const float*, const float* dy, float* dx, int n) {
  const int in = in_.size();
  ConstRowMatMap W(w_, units_, in);
  RowMatMap dW(dw_, units_, in);
  VecMap db(dw_ + size_t(units_) * in, units_);
  ConstMatMap X(x, in, n);
  ConstMatMap dY(dy, units_, n);
  dW.noalias() = dY * X.transpose();
  db.noalias() = dY.rowwise().sum();
  if (dx) {
    MatMap dX(dx, in, n);
    dX.noalias() = W.transpose() * dY;
  }
}

}  // namespace mnist
