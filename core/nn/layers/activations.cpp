#include "nn/layers/activations.h"

namespace mnist {

std::unique_ptr<Layer> ActivationLayer::make(const Token& t) {
  t.expect_no_args();
  const Activation a = t.name == kRelu.name      ? Activation::Relu
                       : t.name == kSigmoid.name ? Activation::Sigmoid
                                                 : Activation::Tanh;
  return std::make_unique<ActivationLayer>(a);
}

std::string ActivationLayer::token() const {
  switch (act_) {
    case Activation::Relu:
      return "relu";
    case Activation::Sigmoid:
      return "sigmoid";
    case Activation::Tanh:
      return "tanh";
  }
  return "?";
}

void ActivationLayer::forward(const float* x, float* y, int n, bool) {
  const Eigen::Index len = Eigen::Index(n) * in_.size();
  Eigen::Map<const Eigen::ArrayXf> X(x, len);
  Eigen::Map<Eigen::ArrayXf> Y(y, len);
  switch (act_) {
    case Activation::Relu:
      Y = X.max(0.0f);
      break;
    case Activation::Sigmoid:
      Y = 1.0f / (1.0f + (-X).exp());
      break;
    case Activation::Tanh:
      Y = X.tanh();
      break;
  }
}

void ActivationLayer::backward(const float*, const float* y, const float* dy, float* dx, int n) {
  if (!dx) return;
  const Eigen::Index len = Eigen::Index(n) * in_.size();
  if (act_ == Activation::Relu) {
    // A plain select loop: the compiler vectorises it (f32x4 compare + bitselect
    // in wasm), where Eigen's select() stayed scalar there.
    for (Eigen::Index i = 0; i < len; ++i) {
      const float g = dy[i];  // loaded unconditionally, so the select vectorises
      dx[i] = y[i] > 0.0f ? g : 0.0f;
    }
    return;
  }
  Eigen::Map<const Eigen::ArrayXf> Y(y, len), dY(dy, len);
  Eigen::Map<Eigen::ArrayXf> dX(dx, len);
  switch (act_) {
    case Activation::Relu:
      dX = (Y > 0.0f).select(dY, 0.0f);
      break;
    case Activation::Sigmoid:
      dX = dY * Y * (1.0f - Y);
      break;
    case Activation::Tanh:
      dX = dY * (1.0f - Y * Y);
      break;
  }
}

}  // namespace mnist
