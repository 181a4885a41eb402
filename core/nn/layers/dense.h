#pragma once
#include <memory>

#include "nn/layers/layer.h"
#include "nn/layers/token.h"

namespace mnist {

// y = W x + b over the flattened input. W is (out, in) row-major, then b (out).
class Dense : public Layer {
 public:
  static constexpr TokenSyntax kSyntax = {
      "dense", "dense(N)",
      "fully connected: N outputs, each a weighted sum of every input plus a bias (an image is flattened)"};
  static constexpr long kMaxUnits = 65536;  // generous; keeps a typo from asking for gigabytes
  static std::unique_ptr<Layer> make(const Token& t);

  explicit Dense(int units) : units_(units) {}
  std::string token() const override { return "dense(" + std::to_string(units_) + ")"; }
  std::string kind() const override { return "dense"; }
  Shape configure(const Shape& in) override;
  size_t param_count() const override { return size_t(units_) * in_.size() + units_; }
  // W (units, in), then b (units): thread k computes the same units' rows of
  // W in every product (forward, weight gradient) and owns them and their biases.
  std::vector<ParamRows> param_rows() const override { return {{units_, size_t(in_.size())}, {units_, 1}}; }
  void bind(float* params, float* grads) override {
    w_ = params;
    dw_ = grads;
  }
  void init(Rng& rng) override;
  void forward(const float* x, float* y, int n, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int n) override;
  // He init for layers feeding ReLU, Glorot otherwise; set by the builder.
  void set_he_init(bool he) { he_ = he; }

 private:
  void add_attributes(LayerAttributes& a) const override { a.units = units_; }

  int units_;
  bool he_ = true;
  float* w_ = nullptr;
  float* dw_ = nullptr;
};

}  // namespace mnist
