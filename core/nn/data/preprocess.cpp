#include "nn/data/preprocess.h"

#include <algorithm>
#include <cmath>

#include "nn/util/check.h"
#include "nn/util/types.h"

namespace mnist {
namespace {

// 1-D area resample of n_in samples onto n_out: out[j] averages the input over
// [j, j+1) * n_in / n_out. in/out are strided so rows and columns share it.
void resample_1d(const float* in, int n_in, int in_stride, float* out, int n_out, int out_stride) {
  const double scale = double(n_in) / n_out;
  for (int j = 0; j < n_out; ++j) {
    const double a = j * scale, b = (j + 1) * scale;
    double acc = 0;
    for (int i = int(a); i < n_in && i < b; ++i) {
      const double lo = std::max(a, double(i)), hi = std::min(b, double(i + 1));
      if (hi > lo) acc += (hi - lo) * in[size_t(i) * in_stride];
    }
    out[size_t(j) * out_stride] = float(acc / scale);
  }
}

}  // namespace

void resample_area(const float* src, int sw, int sh, float* dst, int dw, int dh) {
  std::vector<float> tmp(size_t(sh) * dw);  // rows resampled: (sh, dw)
  for (int y = 0; y < sh; ++y) resample_1d(src + size_t(y) * sw, sw, 1, tmp.data() + size_t(y) * dw, dw, 1);
  for (int x = 0; x < dw; ++x) resample_1d(tmp.data() + x, sh, dw, dst + x, dh, dw);
}

std::vector<float> preprocess_drawing(const float* pixels, int width, int height) {
  check(width >= 1 && height >= 1 && width <= 4096 && height <= 4096, "drawing size ", width, "x", height,
        " is out of range (1..4096)");
  const size_t n = size_t(width) * height;
  // Checked in one plain pass first: a check() per pixel, made while a vector is
  // alive, goes through Emscripten's JS exception trampoline every time in wasm
  // (it was most of a drawing-pad prediction's time).
  const size_t bad = size_t(std::find_if(pixels, pixels + n, [](float v) { return !std::isfinite(v); }) - pixels);
  check(bad == n, "drawing has a non-finite value at pixel ", bad);
  std::vector<float> ink(n);
  for (size_t i = 0; i < n; ++i) ink[i] = std::min(1.0f, std::max(0.0f, pixels[i]));
  std::vector<float> out(kImagePixels, 0.0f);
  // Bounding box of the ink (faint anti-aliasing fringes ignored).
  constexpr float kInk = 0.05f;
  int x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      if (ink[size_t(y) * width + x] > kInk) {
        x0 = std::min(x0, x);
        x1 = std::max(x1, x);
        y0 = std::min(y0, y);
        y1 = std::max(y1, y);
      }
  if (x1 < 0) return out;
  const int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  std::vector<float> crop(size_t(bw) * bh);
  for (int y = 0; y < bh; ++y)
    std::copy(ink.begin() + size_t(y0 + y) * width + x0, ink.begin() + size_t(y0 + y) * width + x0 + bw,
              crop.begin() + size_t(y) * bw);
  // Longer side to 20 px, the other in proportion (at least 1).
  constexpr int kBox = 20;
  const int tw = bw >= bh ? kBox : std::max(1, int(std::lround(double(kBox) * bw / bh)));
  const int th = bh >= bw ? kBox : std::max(1, int(std::lround(double(kBox) * bh / bw)));
  std::vector<float> small(size_t(tw) * th);
  resample_area(crop.data(), bw, bh, small.data(), tw, th);
  const float peak = *std::max_element(small.begin(), small.end());
  double mass = 0, mx = 0, my = 0;
  for (int y = 0; y < th; ++y)
    for (int x = 0; x < tw; ++x) {
      float& v = small[size_t(y) * tw + x];
      v = peak > 0 ? std::min(1.0f, v / peak) : 0.0f;
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  // Offset that puts the centre of mass at (14, 14), kept inside the frame.
  int ox = int(std::lround(14.0 - mx / mass)), oy = int(std::lround(14.0 - my / mass));
  ox = std::min(std::max(ox, 0), kImageSide - tw);
  oy = std::min(std::max(oy, 0), kImageSide - th);
  for (int y = 0; y < th; ++y)
    for (int x = 0; x < tw; ++x) out[size_t(oy + y) * kImageSide + ox + x] = small[size_t(y) * tw + x];
  return out;
}

}  // namespace mnist
