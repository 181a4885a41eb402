#pragma once
#include <algorithm>

#include "nn/layers/layer.h"

namespace mnist {

// (n, C, H, W) -> (n, C*H*W): the memory is already in that order, so a copy.
class Flatten : public Layer {
 public:
  std::string token() const override { return "flatten"; }
  std::string kind() const override { return "flatten"; }
  Shape configure(const Shape& in) override {
    in_ = in;
    out_ = flat_shape(in.size());
    return out_;
  }
  void forward(const float* x, float* y, int n, bool) override {
    std::copy(x, x + size_t(n) * in_.size(), y);
  }
  void backward(const float*, const float*, const float* dy, float* dx, int n) override {
    if (dx) std::copy(dy, dy + size_t(n) * in_.size(), dx);
  }
};

}  // namespace mnist
