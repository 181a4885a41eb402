#pragma once
#include <memory>
#include <vector>

#include "nn/layers/layer.h"
#include "nn/layers/token.h"

namespace mnist {

// Batch normalisation (spec token "bn"), per channel of a CxHxW input (over the
// batch and the H*W positions) or per feature of a flat one (over the batch).
// Training normalises with the batch's mean and variance and folds them into
// running estimates; evaluation uses the running estimates, so one image's
// prediction does not depend on the others in its batch.
//
// Parameters (C each): gamma, beta. State (C each): running mean, running
// variance, in the network's state arena: saved and loaded with the weights,
// never seen by the optimizer or weight decay.
class BatchNorm : public Layer {
 public:
  static constexpr TokenSyntax kSyntax = {
      "bn", "bn",
      "batch normalisation per channel (per unit after dense): batch statistics in training, running ones at "
      "evaluation"};
  static std::unique_ptr<Layer> make(const Token& t) {
    t.expect_no_args();
    return std::make_unique<BatchNorm>();
  }
  static constexpr float kEps = 1e-5f;
  static constexpr float kMomentum = 0.1f;  // running = (1 - m) running + m batch

  std::string token() const override { return "bn"; }
  std::string kind() const override { return "bn"; }
  Shape configure(const Shape& in) override;
  size_t param_count() const override { return 2 * size_t(in_.c); }
  void bind(float* params, float* grads) override {
    w_ = params;
    dw_ = grads;
  }
  size_t state_count() const override { return 2 * size_t(in_.c); }
  void bind_state(float* state) override { s_ = state; }
  void init(Rng& rng) override;
  void reserve(int max_batch) override;
  size_t scratch_floats(int max_batch) const override { return size_t(max_batch) * in_.size() + in_.c; }
  void forward(const float* x, float* y, int n, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int n) override;

 private:
  int planes() const { return in_.h * in_.w; }  // positions per channel (1 if flat)
  float* w_ = nullptr;                          // gamma (C), beta (C)
  float* dw_ = nullptr;                         // their gradients
  float* s_ = nullptr;                          // running mean (C), running variance (C)
  std::vector<float> xhat_;                     // (n, C, H*W) normalised input of the last forward
  std::vector<float> inv_std_;                  // (C) of the last forward (the running one in inference)
  bool last_training_ = true;                   // the last forward used the batch's statistics
};

}  // namespace mnist
