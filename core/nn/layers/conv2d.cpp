#include "nn/layers/conv2d.h"

#include <algorithm>
#include <cmath>

#include "nn/kernels/gemm.h"
#include "nn/util/check.h"

namespace mnist {

std::string Conv2d::token() const {
  return "conv(" + std::to_string(f_) + "," + std::to_string(k_) + (same_ ? ",same)" : ")");
}

Shape Conv2d::configure(const Shape& in) {
  check(f_ >= 1, token(), ": needs at least one filter");
  check(k_ >= 1, token(), ": the kernel must be at least 1");
  check(!in.flat, token(), ": needs a CxHxW input but gets a flat vector of ", in.c,
        " (conv must come before flatten/dense)");
  check(!same_ || k_ % 2 == 1, token(), ": same padding needs an odd kernel size");
  in_ = in;
  const int p = pad();
  const int oh = in.h + 2 * p - k_ + 1, ow = in.w + 2 * p - k_ + 1;
  check(oh >= 1 && ow >= 1, token(), ": the kernel is larger than its ", in.str(), " input");
  out_ = image_shape(f_, oh, ow);
  return out_;
}

void Conv2d::init(Rng& rng) {
  const int fan_in = in_.c * k_ * k_;
  const float std = std::sqrt(2.0f / fan_in);  // He: conv layers feed ReLU
  const size_t nw = size_t(f_) * fan_in;
  for (size_t i = 0; i < nw; ++i) w_[i] = std * rng.normal();
  for (int i = 0; i < f_; ++i) w_[nw + i] = 0.0f;
}

int Conv2d::chunk_samples() const {
  const size_t per_sample = size_t(in_.c) * k_ * k_ * out_.h * out_.w;
  return int(std::max<size_t>(1, col_budget_ / per_sample));
}

void Conv2d::reserve(int max_batch) {
  const int cn = std::min(max_batch, chunk_samples());
  const size_t P = size_t(out_.h) * out_.w, rows = size_t(in_.c) * k_ * k_;
  col_.resize(rows * cn * P);
  dcol_.resize(rows * cn * P);
}

void Conv2d::im2col(const float* x, int cn) {
  const int C = in_.c, H = in_.h, W = in_.w, OH = out_.h, OW = out_.w, p = pad();
  const size_t P = size_t(OH) * OW, row_len = cn * P;
  for (int c = 0; c < C; ++c) {
    for (int ky = 0; ky < k_; ++ky) {
      for (int kx = 0; kx < k_; ++kx) {
        float* row = col_.data() + ((c * k_ + ky) * k_ + kx) * row_len;
        // Output columns ox in [lo, hi) read inside the image; the rest are padding.
        const int lo = std::min(OW, std::max(0, p - kx)), hi = std::max(lo, std::min(OW, W + p - kx));
        for (int s = 0; s < cn; ++s) {
          const float* xc = x + (size_t(s) * C + c) * H * W;
          float* out = row + s * P;
          for (int oy = 0; oy < OH; ++oy) {
            const int iy = oy + ky - p;
            float* o = out + oy * OW;
            if (iy < 0 || iy >= H) {
              std::fill(o, o + OW, 0.0f);
              continue;
            }
            const float* in_row = xc + iy * W;
            const int shift = kx - p;
            for (int ox = 0; ox < lo; ++ox) o[ox] = 0.0f;
            for (int ox = lo; ox < hi; ++ox) o[ox] = in_row[ox + shift];
            for (int ox = hi; ox < OW; ++ox) o[ox] = 0.0f;
          }
        }
      }
    }
  }
}

void Conv2d::col2im(float* dx, int cn) {
  const int C = in_.c, H = in_.h, W = in_.w, OH = out_.h, OW = out_.w, p = pad();
  const size_t P = size_t(OH) * OW, row_len = cn * P;
  std::fill(dx, dx + size_t(cn) * C * H * W, 0.0f);
  for (int c = 0; c < C; ++c) {
    for (int ky = 0; ky < k_; ++ky) {
      for (int kx = 0; kx < k_; ++kx) {
        const float* row = dcol_.data() + ((c * k_ + ky) * k_ + kx) * row_len;
        const int lo = std::min(OW, std::max(0, p - kx)), hi = std::max(lo, std::min(OW, W + p - kx));
        for (int s = 0; s < cn; ++s) {
          float* xc = dx + (size_t(s) * C + c) * H * W;
          const float* in = row + s * P;
          for (int oy = 0; oy < OH; ++oy) {
            const int iy = oy + ky - p;
            if (iy < 0 || iy >= H) continue;
            float* out_row = xc + iy * W;
            const int shift = kx - p;
            const float* g = in + oy * OW;
            for (int ox = lo; ox < hi; ++ox) out_row[ox + shift] += g[ox];
          }
        }
      }
    }
  }
}

// One GEMM per sample, written straight into the batch-major output: y_s (F, P)
// = W (F, rows) * col_s (rows, P), where col_s is the sample's P columns of the
// chunk's col_ (row stride cn*P). No (F, cn*P) intermediate to reshuffle.
void Conv2d::forward(const float* x, float* y, int n, bool) {
  const int rows = in_.c * k_ * k_;
  const int P = out_.h * out_.w;
  const size_t in_size = in_.size(), out_size = out_.size();
  const int chunk = chunk_samples();
  const float* b = w_ + size_t(f_) * rows;  // (F)
  for (int s0 = 0; s0 < n; s0 += chunk) {
    const int cn = std::min(chunk, n - s0), cols = cn * P;
    im2col(x + s0 * in_size, cn);
    for (int s = 0; s < cn; ++s) {
      float* ys = y + (s0 + s) * out_size;
      gemm(false, false, f_, P, rows, w_, rows, col_.data() + size_t(s) * P, cols, ys, P, false);
      for (int f = 0; f < f_; ++f) {
        float* yf = ys + size_t(f) * P;
        const float bf = b[f];
        for (int i = 0; i < P; ++i) yf[i] += bf;
      }
    }
  }
  col_holds_batch_ = n <= chunk;
}

// Per sample s, with dy_s (F, P) read in place:
//   dW (F, rows) += dy_s * col_s^T        dcol_s (rows, P) = W^T * dy_s
void Conv2d::backward(const float* x, const float*, const float* dy, float* dx, int n) {
  const int rows = in_.c * k_ * k_;
  const int P = out_.h * out_.w;
  const size_t in_size = in_.size(), out_size = out_.size();
  const int chunk = chunk_samples();
  float* db = dw_ + size_t(f_) * rows;  // (F)
  std::fill(db, db + f_, 0.0f);
  for (int s0 = 0; s0 < n; s0 += chunk) {
    const int cn = std::min(chunk, n - s0), cols = cn * P;
    if (!col_holds_batch_) im2col(x + s0 * in_size, cn);
    for (int s = 0; s < cn; ++s) {
      const float* dys = dy + (s0 + s) * out_size;
      const float* cols_s = col_.data() + size_t(s) * P;
      gemm(false, true, f_, rows, P, dys, P, cols_s, cols, dw_, rows, s0 + s > 0);
      for (int f = 0; f < f_; ++f) {
        const float* g = dys + size_t(f) * P;
        float acc = 0.0f;
        for (int i = 0; i < P; ++i) acc += g[i];
        db[f] += acc;
      }
      if (dx) gemm(true, false, rows, P, f_, w_, rows, dys, P, dcol_.data() + size_t(s) * P, cols, false);
    }
    if (dx) col2im(dx + s0 * in_size, cn);
  }
}

void conv2d_reference(const float* x, const float* params, float* y, int n, int C, int H, int W, int F,
                      int K, int pad) {
  const int OH = H + 2 * pad - K + 1, OW = W + 2 * pad - K + 1;
  const float* bias = params + size_t(F) * C * K * K;
  for (int s = 0; s < n; ++s)
    for (int f = 0; f < F; ++f)
      for (int oy = 0; oy < OH; ++oy)
        for (int ox = 0; ox < OW; ++ox) {
          double acc = bias[f];
          for (int c = 0; c < C; ++c)
            for (int ky = 0; ky < K; ++ky)
              for (int kx = 0; kx < K; ++kx) {
                const int iy = oy + ky - pad, ix = ox + kx - pad;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                acc += double(params[((f * C + c) * K + ky) * K + kx]) * x[((s * C + c) * H + iy) * W + ix];
              }
          y[((s * F + f) * OH + oy) * OW + ox] = float(acc);
        }
}

}  // namespace mnist
