#include "nn/data/preprocess.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "nn/util/check.h"
#include "nn/util/types.h"

namespace mnist {
namespace {

// Inputs of 1-D area resampling n_in samples onto n_out: out[j] averages the input
// over [j, j+1) * n_in / n_out. Every row (or column) of an image shares these
// weights, so they are worked out once per image, not once per row.
struct AreaTaps {
  double scale = 1;            // n_in / n_out
  std::vector<int> begin;      // (n_out + 1) offsets into index / weight
  std::vector<int> index;      // input sample of each tap
  std::vector<double> weight;  // its overlap with the output's interval
  AreaTaps(int n_in, int n_out) : scale(double(n_in) / n_out), begin(size_t(n_out) + 1, 0) {
    for (int j = 0; j < n_out; ++j) {
      const double a = j * scale, b = (j + 1) * scale;
      for (int i = int(a); i < n_in && i < b; ++i) {
        const double lo = std::max(a, double(i)), hi = std::min(b, double(i + 1));
        if (hi > lo) {
          index.push_back(i);
          weight.push_back(hi - lo);
        }
      }
      begin[size_t(j) + 1] = int(index.size());
    }
  }
};

// Index of the first NaN or infinity in p (n if none). Checked a block at a time
// without branching inside a block, which the compiler vectorises; a check() per
// pixel, made while a vector is alive, would go through Emscripten's JS exception
// trampoline every time in wasm.
size_t first_non_finite(const float* p, size_t n) {
  constexpr size_t kBlock = 256;
  for (size_t i = 0; i < n; i += kBlock) {
    const size_t end = std::min(n, i + kBlock);
    bool finite = true;
    for (size_t k = i; k < end; ++k) finite &= std::fabs(p[k]) <= FLT_MAX;  // false for NaN too
    if (!finite) return size_t(std::find_if(p + i, p + end, [](float v) { return !std::isfinite(v); }) - p);
  }
  return n;
}

// Bounding box [x0, x1] x [y0, y1] of the pixels above `threshold` in (height,
// width); x1 < 0 if there are none. Rows outside the ink are read once; within
// it, only the margins left of x0 and right of x1 are searched.
struct Box {
  int x0, y0, x1, y1;
};
Box ink_box(const float* px, int width, int height, float threshold) {
  const auto row_has_ink = [&](int y) {
    const float* r = px + size_t(y) * width;
    return std::any_of(r, r + width, [&](float v) { return v > threshold; });
  };
  Box b{width, height, -1, -1};
  int y0 = 0;
  while (y0 < height && !row_has_ink(y0)) ++y0;
  if (y0 == height) return b;
  int y1 = height - 1;
  while (!row_has_ink(y1)) --y1;
  for (int y = y0; y <= y1; ++y) {
    const float* r = px + size_t(y) * width;
    for (int x = 0; x < b.x0; ++x)
      if (r[x] > threshold) {
        b.x0 = x;
        break;
      }
    for (int x = width - 1; x > b.x1; --x)
      if (r[x] > threshold) {
        b.x1 = x;
        break;
      }
  }
  b.y0 = y0;
  b.y1 = y1;
  return b;
}

}  // namespace

void resample_area(const float* src, int sw, int sh, float* dst, int dw, int dh) {
  const AreaTaps cols(sw, dw), rows(sh, dh);
  // Rows first: tmp (sh, dw). Each output sums its taps in input order, in double.
  std::vector<float> tmp(size_t(sh) * dw);
  for (int y = 0; y < sh; ++y) {
    const float* in = src + size_t(y) * sw;
    for (int j = 0; j < dw; ++j) {
      double acc = 0;
      for (int t = cols.begin[size_t(j)]; t < cols.begin[size_t(j) + 1]; ++t)
        acc += cols.weight[size_t(t)] * in[cols.index[size_t(t)]];
      tmp[size_t(y) * dw + j] = float(acc / cols.scale);
    }
  }
  // Then columns, a whole output row at a time: acc (dw) sums the same taps in the
  // same order per column as a column-at-a-time loop would.
  std::vector<double> acc(static_cast<size_t>(dw));
  for (int j = 0; j < dh; ++j) {
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int t = rows.begin[size_t(j)]; t < rows.begin[size_t(j) + 1]; ++t) {
      const double w = rows.weight[size_t(t)];
      const float* in = tmp.data() + size_t(rows.index[size_t(t)]) * dw;
      for (int x = 0; x < dw; ++x) acc[size_t(x)] += w * in[x];
    }
    for (int x = 0; x < dw; ++x) dst[size_t(j) * dw + x] = float(acc[size_t(x)] / rows.scale);
  }
}

namespace {

void check_drawing(const float* pixels, int width, int height) {
  check(width >= 1 && height >= 1 && width <= 4096 && height <= 4096, "drawing size ", width, "x", height,
        " is out of range (1..4096)");
  const size_t n = size_t(width) * height;
  const size_t bad = first_non_finite(pixels, n);
  check(bad == n, "drawing has a non-finite value at pixel ", bad);
}

}  // namespace

std::vector<float> scale_drawing(const float* pixels, int width, int height) {
  check_drawing(pixels, width, height);
  std::vector<float> clamped(pixels, pixels + size_t(width) * height);
  for (float& v : clamped) v = std::min(1.0f, std::max(0.0f, v));
  const int tw =
      width >= height ? kImageSide : std::max(1, int(std::lround(double(kImageSide) * width / height)));
  const int th =
      height >= width ? kImageSide : std::max(1, int(std::lround(double(kImageSide) * height / width)));
  std::vector<float> small(size_t(tw) * th), out(kImagePixels, 0.0f);
  resample_area(clamped.data(), width, height, small.data(), tw, th);
  const int ox = (kImageSide - tw) / 2, oy = (kImageSide - th) / 2;
  for (int y = 0; y < th; ++y)
    std::copy_n(small.data() + size_t(y) * tw, tw, out.data() + size_t(oy + y) * kImageSide + ox);
  return out;
}

std::vector<float> preprocess_drawing(const float* pixels, int width, int height) {
  check_drawing(pixels, width, height);
  std::vector<float> out(kImagePixels, 0.0f);
  // Bounding box of the ink (faint anti-aliasing fringes ignored). Clamping to
  // [0, 1] keeps every value on the same side of kInk, so the raw pixels serve.
  constexpr float kInk = 0.05f;
  const Box box = ink_box(pixels, width, height, kInk);
  if (box.x1 < 0) return out;
  const int bw = box.x1 - box.x0 + 1, bh = box.y1 - box.y0 + 1;
  // crop: (bh, bw) ink clamped to [0, 1]
  std::vector<float> crop(size_t(bw) * bh);
  for (int y = 0; y < bh; ++y) {
    const float* r = pixels + size_t(box.y0 + y) * width + box.x0;
    float* c = crop.data() + size_t(y) * bw;
    for (int x = 0; x < bw; ++x) c[x] = std::min(1.0f, std::max(0.0f, r[x]));
  }
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
