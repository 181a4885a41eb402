#pragma once
#include <cstdint>
#include <vector>

#include "nn/layers/layer.h"

namespace mnist {

// k×k max pooling with stride k; a trailing row/column that does not fill a
// window is dropped (floor), as in Keras and PyTorch.
class MaxPool2d : public Layer {
 public:
  explicit MaxPool2d(int k) : k_(k) {}
  std::string token() const override { return "pool(" + std::to_string(k_) + ")"; }
  std::string kind() const override { return "pool"; }
  Shape configure(const Shape& in) override;
  void reserve(int max_batch) override { argmax_.resize(size_t(max_batch) * out_.size()); }
  void forward(const float* x, float* y, int n, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int n) override;

 private:
  int k_;
  std::vector<int32_t> argmax_;  // (n, out): index of the winner within the sample's input
};

}  // namespace mnist
