#include "nn/layers/avgpool2d.h"

#include <algorithm>

#include "nn/layers/maxpool2d.h"  // pooled_shape
#include "nn/util/check.h"

namespace mnist {

std::unique_ptr<Layer> AvgPool2d::make(const Token& t) {
  return std::make_unique<AvgPool2d>(pool_window(t, kSyntax.usage));
}

std::unique_ptr<Layer> GlobalAvgPool::make(const Token& t) {
  t.expect_no_args();
  return std::make_unique<GlobalAvgPool>();
}

Shape AvgPool2d::configure(const Shape& in) {
  out_ = pooled_shape(*this, in, k_);
  in_ = in;
  return out_;
}

// x: (n, C, H, W) -> y: (n, C, H/k, W/k). Each output row sums its k input rows
// into y, then scales once, so the inner loops run along contiguous rows.
void AvgPool2d::forward(const float* x, float* y, int n, bool /*training*/) {
  const int H = in_.h, W = in_.w, OH = out_.h, OW = out_.w, k = k_;
  const float scale = 1.0f / float(k * k);
  const size_t planes = size_t(n) * in_.c;
  for (size_t p = 0; p < planes; ++p) {
    const float* xp = x + p * H * W;
    float* yp = y + p * OH * OW;
    for (int oy = 0; oy < OH; ++oy) {
      float* yo = yp + size_t(oy) * OW;
      std::fill(yo, yo + OW, 0.0f);
      for (int dy = 0; dy < k; ++dy) {
        const float* r = xp + size_t(oy * k + dy) * W;
        for (int ox = 0; ox < OW; ++ox)
          for (int dx = 0; dx < k; ++dx) yo[ox] += r[ox * k + dx];
      }
      for (int ox = 0; ox < OW; ++ox) yo[ox] *= scale;
    }
  }
}

// dy: (n, C, H/k, W/k) -> dx: (n, C, H, W); the dropped edge gets no gradient.
void AvgPool2d::backward(const float* /*x*/, const float* /*y*/, const float* dy, float* dx, int n) {
  if (!dx) return;
  const int H = in_.h, W = in_.w, OH = out_.h, OW = out_.w, k = k_;
  const float scale = 1.0f / float(k * k);
  const size_t planes = size_t(n) * in_.c;
  std::fill(dx, dx + planes * H * W, 0.0f);
  for (size_t p = 0; p < planes; ++p) {
    const float* dyp = dy + p * OH * OW;
    float* dxp = dx + p * H * W;
    for (int oy = 0; oy < OH; ++oy)
      for (int r = 0; r < k; ++r) {
        float* row = dxp + size_t(oy * k + r) * W;
        for (int ox = 0; ox < OW; ++ox) {
          const float g = dyp[size_t(oy) * OW + ox] * scale;
          for (int c = 0; c < k; ++c) row[ox * k + c] = g;
        }
      }
  }
}

Shape GlobalAvgPool::configure(const Shape& in) {
  require_image(*this, in);
  in_ = in;
  out_ = image_shape(in.c, 1, 1);
  return out_;
}

// x: (n, C, H, W) -> y: (n, C, 1, 1)
void GlobalAvgPool::forward(const float* x, float* y, int n, bool /*training*/) {
  const size_t area = size_t(in_.h) * in_.w, planes = size_t(n) * in_.c;
  const float scale = 1.0f / float(area);
  for (size_t p = 0; p < planes; ++p) {
    const float* xp = x + p * area;
    float sum = 0.0f;
    for (size_t i = 0; i < area; ++i) sum += xp[i];
    y[p] = sum * scale;
  }
}

// dy: (n, C, 1, 1) -> dx: (n, C, H, W)
void GlobalAvgPool::backward(const float* /*x*/, const float* /*y*/, const float* dy, float* dx, int n) {
  if (!dx) return;
  const size_t area = size_t(in_.h) * in_.w, planes = size_t(n) * in_.c;
  const float scale = 1.0f / float(area);
  for (size_t p = 0; p < planes; ++p) std::fill(dx + p * area, dx + (p + 1) * area, dy[p] * scale);
}

void avgpool2d_reference_forward(const float* x, float* y, int n, int C, int H, int W, int k) {
  const int OH = H / k, OW = W / k;
  for (int p = 0; p < n * C; ++p)
    for (int oy = 0; oy < OH; ++oy)
      for (int ox = 0; ox < OW; ++ox) {
        double sum = 0;
        for (int i = 0; i < k; ++i)
          for (int j = 0; j < k; ++j) sum += x[(size_t(p) * H + oy * k + i) * W + ox * k + j];
        y[(size_t(p) * OH + oy) * OW + ox] = float(sum / (k * k));
      }
}

void avgpool2d_reference_backward(const float* dy, float* dx, int n, int C, int H, int W, int k) {
  const int OH = H / k, OW = W / k;
  std::fill(dx, dx + size_t(n) * C * H * W, 0.0f);
  for (int p = 0; p < n * C; ++p)
    for (int oy = 0; oy < OH; ++oy)
      for (int ox = 0; ox < OW; ++ox)
        for (int i = 0; i < k; ++i)
          for (int j = 0; j < k; ++j)
            dx[(size_t(p) * H + oy * k + i) * W + ox * k + j] =
                float(dy[(size_t(p) * OH + oy) * OW + ox] / double(k * k));
}

}  // namespace mnist
