#pragma once
// Element-wise nonlinearities. Backward uses the saved output y, which is all
// ReLU, sigmoid and tanh need.
#include "nn/layers/layer.h"

namespace mnist {

enum class Activation { Relu, Sigmoid, Tanh };

class ActivationLayer : public Layer {
 public:
  explicit ActivationLayer(Activation a) : act_(a) {}
  std::string token() const override;
  std::string kind() const override { return token(); }
  Shape configure(const Shape& in) override {
    in_ = out_ = in;
    return out_;
  }
  void forward(const float* x, float* y, int n, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int n) override;
  Activation activation() const { return act_; }

 private:
  Activation act_;
};

}  // namespace mnist
