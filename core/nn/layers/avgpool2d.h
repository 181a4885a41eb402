#pragma once
#include <memory>

#include "nn/layers/layer.h"
#include "nn/layers/token.h"

namespace mnist {

// k×k average pooling with stride k: each output is the mean of its window; a
// trailing row/column that does not fill a window is dropped (floor), as
// pool(k) does. Backward spreads each dy evenly over its window: dx = dy / k².
class AvgPool2d : public Layer {
 public:
  static constexpr TokenSyntax kSyntax = {"avgpool", "avgpool(K)",
                                          "average pooling: the mean of each KxK window, stride K"};
  static std::unique_ptr<Layer> make(const Token& t);

  explicit AvgPool2d(int k) : k_(k) {}
  std::string token() const override { return "avgpool(" + std::to_string(k_) + ")"; }
  std::string kind() const override { return "avgpool"; }
  int window() const override { return k_; }
  Shape configure(const Shape& in) override;
  void forward(const float* x, float* y, int n, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int n) override;

 private:
  void add_attributes(LayerAttributes& a) const override {
    a.pooling = "average";
    a.stride = k_;
  }

  int k_;
};

// Global average pooling: one value per channel, the mean over its whole plane.
// (C, H, W) -> (C, 1, 1), so a dense layer after it sees C inputs and a 1×1
// convolution still can follow. dx = dy / (H W) everywhere on the plane.
class GlobalAvgPool : public Layer {
 public:
  static constexpr TokenSyntax kSyntax = {"gap", "gap",
                                          "global average pooling: one mean per channel, CxHxW to Cx1x1"};
  static std::unique_ptr<Layer> make(const Token& t);

  std::string token() const override { return "gap"; }
  std::string kind() const override { return "gap"; }
  int window() const override { return in_.h; }  // a square plane (the input is 28x28)
  Shape configure(const Shape& in) override;
  void forward(const float* x, float* y, int n, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int n) override;

 private:
  void add_attributes(LayerAttributes& a) const override {
    a.pooling = "average";
    a.stride = in_.h;
  }
};

// The definitions written out, as the tests' oracle: every output sums its
// window in row order, in double. x, dx: (n, C, H, W); y, dy: (n, C, H/k, W/k).
void avgpool2d_reference_forward(const float* x, float* y, int n, int C, int H, int W, int k);
void avgpool2d_reference_backward(const float* dy, float* dx, int n, int C, int H, int W, int k);

}  // namespace mnist
