#pragma once
#include <memory>
#include <optional>
#include <vector>

#include "nn/kernels/winograd.h"
#include "nn/layers/layer.h"
#include "nn/layers/token.h"

namespace mnist {

// 2-D convolution (cross-correlation, as every framework computes it), stride 1,
// `valid` (no padding) or `same` (zero padding (K-1)/2, odd K).
// Parameters: W (F, C*K*K) row-major, then b (F).
// Computed as im2col per chunk of samples + one GEMM per chunk (nn/kernels/gemm);
// the chunk is sized so the column buffer stays under the budget whatever the
// batch size. Layers with few taps per output (C*K*K <= 32: the first layer on
// one channel) are computed directly instead: a GEMM with such a short inner
// dimension spends its time packing and storing, not multiplying. 3x3 layers
// on many channels (C >= 16, C and F multiples of 4: cnn's second layer) take
// Winograd's F(4x4, 3x3) (nn/kernels/winograd): 36 GEMMs over the batch's
// tiles with 36/144 of im2col's multiply-adds (a quarter, plus the tiles that
// hang over an output edge); predictions of one or two samples on such a layer
// take im2col + GEMM (see conv2d.cpp).
class Conv2d : public Layer {
 public:
  static constexpr TokenSyntax kSyntax = {"conv", "conv(F,K[,same|valid])",
                                          "2-D convolution: F filters of KxK, stride 1; valid (no padding, "
                                          "the default) or same (zero padding, odd K)"};
  static constexpr long kMaxFilters = 1024;  // generous; keeps a typo from asking for gigabytes
  static std::unique_ptr<Layer> make(const Token& t);

  Conv2d(int filters, int kernel, bool same) : f_(filters), k_(kernel), same_(same) {}
  std::string token() const override;
  std::string kind() const override { return "conv"; }
  int window() const override { return k_; }
  Shape configure(const Shape& in) override;
  size_t param_count() const override { return size_t(f_) * in_.c * k_ * k_ + f_; }
  void bind(float* params, float* grads) override {
    w_ = params;
    dw_ = grads;
  }
  void init(Rng& rng) override;
  void reserve(int max_batch) override;
  size_t scratch_floats(int max_batch) const override;
  void forward(const float* x, float* y, int n, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int n) override;

  int filters() const { return f_; }
  int kernel() const { return k_; }
  int pad() const { return same_ ? (k_ - 1) / 2 : 0; }

  // The column buffer's cap in floats (16 MB by default); tests lower it to
  // exercise the chunked path. Call before reserve().
  void set_col_budget(size_t floats) { col_budget_ = floats; }
  // Which computation runs: chosen by the tap count unless a test forces one.
  // Call before configure().
  enum class Path { automatic, gemm, direct, winograd };
  void set_path(Path p) { path_ = p; }
  bool direct() const { return direct_; }
  bool winograd() const { return wino_.has_value(); }
  // The Winograd path's output tile, 2 (F(2x2,3x3)) or 4 (the default,
  // F(4x4,3x3)). Call before configure().
  void set_winograd_tile(int m) { winograd_tile_ = m; }

 private:
  void add_attributes(LayerAttributes& a) const override;
  int chunk_samples() const;
  // x: (cn, C, H, W) -> col_: (C*K*K, cn*P) row-major, P = OH*OW
  void im2col(const float* x, int cn);
  // dcol_: (C*K*K, cn*P) -> dx: (cn, C, H, W), overwritten
  void col2im(float* dx, int cn);
  // The direct path (few taps, e.g. a first layer on one channel), see conv2d.cpp.
  void forward_direct(const float* x, float* y, int n);
  void backward_direct(const float* x, const float* dy, float* dx, int n);
  void pad_sample(const float* x);
  // Winograd F(m x m, 3x3), see nn/kernels/winograd.h; chunked like im2col.
  int winograd_chunk() const;
  void forward_winograd(const float* x, float* y, int n);
  void backward_winograd(const float* x, const float* dy, float* dx, int n);

  int f_, k_;
  bool same_;
  float* w_ = nullptr;
  float* dw_ = nullptr;
  std::vector<float> col_, dcol_;  // (C*K*K, cn*P) each
  std::vector<float> yt_;          // (F, cn*P): the chunk's output or output gradient, channel-major
  // Direct path: padded input planes (C, HP, WP) plus slack, outputs on the
  // padded width (F4, L), the output gradient likewise, the weights broadcast
  // per tap (taps, F4, 4), and each tap's offset into the padded planes.
  Path path_ = Path::automatic;
  bool direct_ = false;
  int hp_ = 0, wp_ = 0, f4_ = 0, wide_len_ = 0;
  std::vector<float> xp_, wide_, dyw_, wsp_;
  std::vector<int> off_;
  // Winograd path: the transformed filters and their gradient (X, C, F), a
  // chunk's transformed inputs (X, T, C), a block's products (X, TB, F; the
  // output gradient's in backward) and input gradient (X, TB, C), per-sample
  // scratch; X = (m + 2)^2 positions.
  int winograd_tile_ = 4;
  std::optional<WinogradShape> wino_;
  std::vector<float> wu_, wdu_, wv_, wm_, wdv_, wscratch_;
  bool col_holds_batch_ = false;  // forward's col_ still valid for backward
  bool v_holds_batch_ = false;    // likewise the Winograd path's wv_,
  bool u_holds_weights_ = false;  // and its wu_
  size_t col_budget_ = size_t(1) << 22;
};

// The naive definition, kept as the oracle for tests.
// x: (n, C, H, W), w: (F, C, K, K) then b (F), y: (n, F, OH, OW).
void conv2d_reference(const float* x, const float* params, float* y, int n, int C, int H, int W, int F, int K,
                      int pad);

}  // namespace mnist
