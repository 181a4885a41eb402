#pragma once
#include <memory>
#include <vector>

#include "nn/layers/layer.h"
#include "nn/layers/token.h"

namespace mnist {

// Inverted dropout: in training each unit is kept with probability 1-p and scaled
// by 1/(1-p); at evaluation it is the identity, so no rescaling is needed there.
class Dropout : public Layer {
 public:
  static constexpr TokenSyntax kSyntax = {
      "dropout", "dropout[(P)]",
      "while training, zeroes each value with probability P (default 0.5) and scales the others by 1/(1-P)"};
  static std::unique_ptr<Layer> make(const Token& t);

  explicit Dropout(float p) : p_(p) {}
  std::string token() const override;
  std::string kind() const override { return "dropout"; }
  Shape configure(const Shape& in) override;
  void use_rng(Rng* rng) override { rng_ = rng; }
  void reserve(int max_batch) override { mask_.resize(scratch_floats(max_batch)); }
  size_t scratch_floats(int max_batch) const override { return size_t(max_batch) * in_.size(); }
  void forward(const float* x, float* y, int n, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int n) override;
  float rate() const { return p_; }

 private:
  void add_attributes(LayerAttributes& a) const override { a.rate = p_; }

  float p_;
  Rng* rng_ = nullptr;
  bool last_training_ = false;
  std::vector<float> mask_;  // (n, in): 0 or 1/(1-p)
};

}  // namespace mnist
