#pragma once
// Element-wise nonlinearities. Backward uses the saved output y, which is all
// ReLU, sigmoid and tanh need.
#include <memory>

#include "nn/layers/layer.h"
#include "nn/layers/token.h"

namespace mnist {

enum class Activation { Relu, Sigmoid, Tanh };

class ActivationLayer : public Layer {
 public:
  static constexpr TokenSyntax kRelu = {"relu", "relu", "max(0, x) of each value"};
  static constexpr TokenSyntax kSigmoid = {"sigmoid", "sigmoid", "1 / (1 + exp(-x)) of each value"};
  static constexpr TokenSyntax kTanh = {"tanh", "tanh", "tanh(x) of each value"};
  static std::unique_ptr<Layer> make(const Token& t);  // any of the three

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

 protected:
  void add_attributes(LayerAttributes& a) const override { a.activation = true; }

 private:
  Activation act_;
};

}  // namespace mnist
