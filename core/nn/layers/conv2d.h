#pragma once
#include <vector>

#include "nn/layers/layer.h"

namespace mnist {

// 2-D convolution (cross-correlation, as every framework computes it), stride 1,
// `valid` (no padding) or `same` (zero padding (K-1)/2, odd K).
// Parameters: W (F, C*K*K) row-major, then b (F).
// Computed as im2col per chunk of samples + one GEMM per sample (nn/kernels/gemm);
// the chunk is sized so the column buffer stays under the budget whatever the
// batch size.
class Conv2d : public Layer {
 public:
  Conv2d(int filters, int kernel, bool same) : f_(filters), k_(kernel), same_(same) {}
  std::string token() const override;
  std::string kind() const override { return "conv"; }
  Shape configure(const Shape& in) override;
  size_t param_count() const override { return size_t(f_) * in_.c * k_ * k_ + f_; }
  void bind(float* params, float* grads) override { w_ = params; dw_ = grads; }
  void init(Rng& rng) override;
  void reserve(int max_batch) override;
  void forward(const float* x, float* y, int n, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int n) override;

  int filters() const { return f_; }
  int kernel() const { return k_; }
  int pad() const { return same_ ? (k_ - 1) / 2 : 0; }

  // The column buffer's cap in floats (16 MB by default); tests lower it to
  // exercise the chunked path. Call before reserve().
  void set_col_budget(size_t floats) { col_budget_ = floats; }

 private:
  int chunk_samples() const;
  // x: (cn, C, H, W) -> col_: (C*K*K, cn*P) row-major, P = OH*OW
  void im2col(const float* x, int cn);
  // dcol_: (C*K*K, cn*P) -> dx: (cn, C, H, W), overwritten
  void col2im(float* dx, int cn);

  int f_, k_;
  bool same_;
  float* w_ = nullptr;
  float* dw_ = nullptr;
  std::vector<float> col_, dcol_;  // (C*K*K, cn*P) each
  bool col_holds_batch_ = false;   // forward's col_ still valid for backward
  size_t col_budget_ = size_t(1) << 22;
};

// The naive definition, kept as the oracle for tests.
// x: (n, C, H, W), w: (F, C, K, K) then b (F), y: (n, F, OH, OW).
void conv2d_reference(const float* x, const float* params, float* y, int n, int C, int H, int W, int F,
                      int K, int pad);

}  // namespace mnist
