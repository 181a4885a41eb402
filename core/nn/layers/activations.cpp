#include "nn/layers/activations.h"

namespace mnist {

std::string ActivationLayer::token() const {
  switch (act_) {
    case Activation::Relu: return "relu";
    case Activation::Sigmoid: return "sigmoid";
    case Activation::Tanh: return "tanh";
  }
  return "?";
}

void ActivationLayer::forward(const float* x, float* y, int n, bool) {
  const Eigen::Index len = Eigen::Index(n) * in_.size();
  Eigen::Map<const Eigen::ArrayXf> X(x, len);
  Eigen::Map<Eigen::ArrayXf> Y(y, len);
  switch (act_) {
    case Activation::Relu: Y = X.max(0.0f); break;
    case Activation::Sigmoid: Y = 1.0f / (1.0f + (-X).exp()); break;
    case Activation::Tanh: Y = X.tanh(); break;
  }
}

void ActivationLayer::backward(const float*, const float* y, const float* dy, float* dx, int n) {
  if (!dx) return;
  const Eigen::Index len = Eigen::Index(n) * in_.size();
  Eigen::Map<const Eigen::ArrayXf> Y(y, len), dY(dy, len);
  Eigen::Map<Eigen::ArrayXf> dX(dx, len);
  switch (act_) {
    case Activation::Relu: dX = (Y > 0.0f).select(dY, 0.0f); break;
    case Activation::Sigmoid: dX = dY * Y * (1.0f - Y); break;
    case Activation::Tanh: dX = dY * (1.0f - Y * Y); break;
  }
}

}  // namespace mnist
