#include "nn/layers/maxpool2d.h"

#include <algorithm>

#include "nn/util/check.h"

namespace mnist {

Shape MaxPool2d::configure(const Shape& in) {
  check(k_ >= 1, token(), ": the window must be at least 1");
  check(!in.flat, token(), ": needs a CxHxW input but gets a flat vector of ", in.c,
        " (pool must come before flatten/dense)");
  check(in.h >= k_ && in.w >= k_, token(), ": the window is larger than its ", in.str(), " input");
  in_ = in;
  out_ = image_shape(in.c, in.h / k_, in.w / k_);
  return out_;
}

void MaxPool2d::forward(const float* x, float* y, int n, bool) {
  const int C = in_.c, H = in_.h, W = in_.w, OH = out_.h, OW = out_.w;
  const size_t in_size = in_.size(), out_size = out_.size();
  for (int s = 0; s < n; ++s) {
    const float* xs = x + s * in_size;
    float* ys = y + s * out_size;
    int32_t* am = argmax_.data() + s * out_size;
    for (int c = 0; c < C; ++c) {
      for (int oy = 0; oy < OH; ++oy) {
        for (int ox = 0; ox < OW; ++ox) {
          int best = (c * H + oy * k_) * W + ox * k_;
          float best_v = xs[best];
          for (int ky = 0; ky < k_; ++ky) {
            const int row = (c * H + oy * k_ + ky) * W + ox * k_;
            for (int kx = 0; kx < k_; ++kx) {
              if (xs[row + kx] > best_v) {
                best_v = xs[row + kx];
                best = row + kx;
              }
            }
          }
          const int o = (c * OH + oy) * OW + ox;
          ys[o] = best_v;
          am[o] = best;
        }
      }
    }
  }
}

void MaxPool2d::backward(const float*, const float*, const float* dy, float* dx, int n) {
  if (!dx) return;
  const size_t in_size = in_.size(), out_size = out_.size();
  std::fill(dx, dx + n * in_size, 0.0f);
  for (int s = 0; s < n; ++s) {
    const int32_t* am = argmax_.data() + s * out_size;
    const float* dys = dy + s * out_size;
    float* dxs = dx + s * in_size;
    for (size_t o = 0; o < out_size; ++o) dxs[am[o]] += dys[o];
  }
}

}  // namespace mnist
