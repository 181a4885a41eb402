#pragma once
#include <algorithm>
#include <memory>

#include "nn/layers/layer.h"
#include "nn/layers/token.h"

namespace mnist {

// (n, C, H, W) -> (n, C*H*W): the memory is already in that order, so a copy.
class Flatten : public Layer {
 public:
  static constexpr TokenSyntax kSyntax = {"flatten", "flatten",
                                          "CxHxW planes to one vector of all their values"};
  static std::unique_ptr<Layer> make(const Token& t) {
    t.expect_no_args();
    return std::make_unique<Flatten>();
  }

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
