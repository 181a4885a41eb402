#pragma once
#include <memory>

#include "nn/layers/layer.h"
#include "nn/layers/token.h"

namespace mnist {

// k×k max pooling with stride k; a trailing row/column that does not fill a
// window is dropped (floor), as in Keras and PyTorch. The gradient goes to each
// window's winner: the first element, in row order, equal to the window's
// output. Backward finds it again from x and y, so forward stores no argmax and
// k = 2 (every preset) runs branch-free.
class MaxPool2d : public Layer {
 public:
  static constexpr TokenSyntax kSyntax = {"pool", "pool(K)",
                                          "max pooling: the largest value of each KxK window, stride K"};
  static std::unique_ptr<Layer> make(const Token& t);

  explicit MaxPool2d(int k) : k_(k) {}
  std::string token() const override { return "pool(" + std::to_string(k_) + ")"; }
  std::string kind() const override { return "pool"; }
  int window() const override { return k_; }
  Shape configure(const Shape& in) override;
  void forward(const float* x, float* y, int n, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int n) override;

 private:
  void add_attributes(LayerAttributes& a) const override {
    a.pooling = "max";
    a.stride = k_;
  }

  int k_;
};

// What k×k pooling with stride k makes of `in` (C, H/k, W/k), floor at the edges;
// throws naming `l` for a flat input or a window larger than it. Max and average
// pooling share it.
Shape pooled_shape(const Layer& l, const Shape& in, int k);
// The window K of a pooling token "name(K)", 1..28 (the image's side).
int pool_window(const Token& t, const char* usage);

// The naive definition, kept as the oracle for tests: forward with a strict >
// scan in row order; backward routes dy to the element the scan picked.
// x, dx: (n, C, H, W); y, dy: (n, C, H/k, W/k).
void maxpool2d_reference_forward(const float* x, float* y, int n, int C, int H, int W, int k);
void maxpool2d_reference_backward(const float* x, const float* dy, float* dx, int n, int C, int H, int W,
                                  int k);

}  // namespace mnist
