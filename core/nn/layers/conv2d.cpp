#include "nn/layers/conv2d.h"

#include <algorithm>
#include <cmath>

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
  tmp_.resize(size_t(f_) * cn * P);
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

void Conv2d::forward(const float* x, float* y, int n, bool) {
  const int rows = in_.c * k_ * k_;
  const int P = out_.h * out_.w;
  const size_t in_size = in_.size(), out_size = out_.size();
  const int chunk = chunk_samples();
  ConstRowMatMap Wm(w_, f_, rows);
  ConstVecMap b(w_ + size_t(f_) * rows, f_);
  for (int s0 = 0; s0 < n; s0 += chunk) {
    const int cn = std::min(chunk, n - s0);
    im2col(x + s0 * in_size, cn);
    ConstRowMatMap col(col_.data(), rows, Eigen::Index(cn) * P);
    RowMatMap out(tmp_.data(), f_, Eigen::Index(cn) * P);
    out.noalias() = Wm * col;
    // (F, cn*P) -> (cn, F, P) with the bias added on the way.
    for (int s = 0; s < cn; ++s) {
      float* ys = y + (s0 + s) * out_size;
      for (int f = 0; f < f_; ++f) {
        const float* src = tmp_.data() + size_t(f) * cn * P + size_t(s) * P;
        const float bf = b[f];
        float* dst = ys + size_t(f) * P;
        for (int i = 0; i < P; ++i) dst[i] = src[i] + bf;
      }
    }
  }
  col_holds_batch_ = n <= chunk;
}

void Conv2d::backward(const float* x, const float*, const float* dy, float* dx, int n) {
  const int rows = in_.c * k_ * k_;
  const int P = out_.h * out_.w;
  const size_t in_size = in_.size(), out_size = out_.size();
  const int chunk = chunk_samples();
  ConstRowMatMap Wm(w_, f_, rows);
  RowMatMap dW(dw_, f_, rows);
  VecMap db(dw_ + size_t(f_) * rows, f_);
  dW.setZero();
  db.setZero();
  for (int s0 = 0; s0 < n; s0 += chunk) {
    const int cn = std::min(chunk, n - s0);
    if (!col_holds_batch_) im2col(x + s0 * in_size, cn);
    // Gather dy (cn, F, P) into (F, cn*P).
    for (int s = 0; s < cn; ++s) {
      const float* dys = dy + (s0 + s) * out_size;
      for (int f = 0; f < f_; ++f)
        std::copy(dys + size_t(f) * P, dys + size_t(f + 1) * P, tmp_.data() + size_t(f) * cn * P + size_t(s) * P);
    }
    ConstRowMatMap col(col_.data(), rows, Eigen::Index(cn) * P);
    ConstRowMatMap g(tmp_.data(), f_, Eigen::Index(cn) * P);
    dW.noalias() += g * col.transpose();
    db.noalias() += g.rowwise().sum();
    if (dx) {
      RowMatMap dcol(dcol_.data(), rows, Eigen::Index(cn) * P);
      dcol.noalias() = Wm.transpose() * g;
      col2im(dx + s0 * in_size, cn);
    }
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
