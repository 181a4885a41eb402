// A drawing -> the 28x28 input: crop to the ink, longer side to 20 px keeping the
// aspect ratio, centre of mass at (14, 14).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>

#include "nn/data/preprocess.h"
#include "nn/util/check.h"
#include "nn/util/types.h"
#include "support/ulps.h"

using namespace mnist;
using Catch::Contains;
using mnist::test::max_ulps_apart;

namespace {

struct Canvas {
  int w, h;
  std::vector<float> px;
  Canvas(int w, int h) : w(w), h(h), px(size_t(w) * h, 0.0f) {}
  // Fills [x0, x1) x [y0, y1) with `ink`.
  void fill(int x0, int y0, int x1, int y1, float ink = 1.0f) {
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) px[size_t(y) * w + x] = ink;
  }
  std::vector<float> preprocess() const { return preprocess_drawing(px.data(), w, h); }
};

// What the 28x28 image shows: the box of pixels above `threshold` and the centre
// of mass, with pixel (x, y) covering [x, x+1) x [y, y+1), so the frame's centre is (14, 14).
struct Ink {
  int x0 = 28, y0 = 28, x1 = -1, y1 = -1;
  double cx = 0, cy = 0, mass = 0;
  int width() const { return x1 - x0 + 1; }
  int height() const { return y1 - y0 + 1; }
};

Ink measure(const std::vector<float>& img, float threshold = 0.0f) {
  REQUIRE(img.size() == size_t(kImagePixels));
  Ink ink;
  for (int y = 0; y < kImageSide; ++y)
    for (int x = 0; x < kImageSide; ++x) {
      const float v = img[size_t(y) * kImageSide + x];
      REQUIRE((v >= 0.0f && v <= 1.0f));
      if (v > threshold) {
        ink.x0 = std::min(ink.x0, x), ink.x1 = std::max(ink.x1, x);
        ink.y0 = std::min(ink.y0, y), ink.y1 = std::max(ink.y1, y);
      }
      ink.mass += v, ink.cx += v * (x + 0.5), ink.cy += v * (y + 0.5);
    }
  if (ink.mass > 0) ink.cx /= ink.mass, ink.cy /= ink.mass;
  return ink;
}

// The straightforward preprocessing, kept as the fast one's oracle: clamp every
// pixel, find the ink's box with one pass over all of them, resample each row
// and column with its own overlap sums. Both sum the same taps in the same order
// in double, but each is compiled on its own, and with -march=native the
// compiler may fuse a multiply-add in one and round twice in the other; the
// double sums then differ in their last bits, which moves a float result by at
// most 1 ulp after resampling. Dividing by a peak that moved by 1 ulp adds 1-2
// more, so the fast one must stay within kUlps of the oracle. (Measured on an
// AVX-512 CPU: 1 ulp at most after resampling; scaling the oracle's weights by
// 1.0000001 already puts it 5 ulps away, by 1.000001 35 ulps.) The centring
// offset is rounded from the centre of mass and could flip only if it sat
// within ~1e-7 px of a half pixel.
constexpr int64_t kUlps = 4;
void naive_resample_1d(const float* in, int n_in, int in_stride, float* out, int n_out, int out_stride) {
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

void naive_resample_area(const float* src, int sw, int sh, float* dst, int dw, int dh) {
  std::vector<float> tmp(size_t(sh) * dw);
  for (int y = 0; y < sh; ++y)
    naive_resample_1d(src + size_t(y) * sw, sw, 1, tmp.data() + size_t(y) * dw, dw, 1);
  for (int x = 0; x < dw; ++x) naive_resample_1d(tmp.data() + x, sh, dw, dst + x, dh, dw);
}

std::vector<float> naive_preprocess(const float* pixels, int width, int height) {
  const size_t n = size_t(width) * height;
  std::vector<float> ink(n);
  for (size_t i = 0; i < n; ++i) ink[i] = std::min(1.0f, std::max(0.0f, pixels[i]));
  std::vector<float> out(kImagePixels, 0.0f);
  int x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      if (ink[size_t(y) * width + x] > 0.05f) {
        x0 = std::min(x0, x), x1 = std::max(x1, x);
        y0 = std::min(y0, y), y1 = std::max(y1, y);
      }
  if (x1 < 0) return out;
  const int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  std::vector<float> crop(size_t(bw) * bh);
  for (int y = 0; y < bh; ++y)
    for (int x = 0; x < bw; ++x) crop[size_t(y) * bw + x] = ink[size_t(y0 + y) * width + x0 + x];
  const int tw = bw >= bh ? 20 : std::max(1, int(std::lround(20.0 * bw / bh)));
  const int th = bh >= bw ? 20 : std::max(1, int(std::lround(20.0 * bh / bw)));
  std::vector<float> small(size_t(tw) * th);
  naive_resample_area(crop.data(), bw, bh, small.data(), tw, th);
  const float peak = *std::max_element(small.begin(), small.end());
  double mass = 0, mx = 0, my = 0;
  for (int y = 0; y < th; ++y)
    for (int x = 0; x < tw; ++x) {
      float& v = small[size_t(y) * tw + x];
      v = peak > 0 ? std::min(1.0f, v / peak) : 0.0f;
      mass += v, mx += v * (x + 0.5), my += v * (y + 0.5);
    }
  int ox = int(std::lround(14.0 - mx / mass)), oy = int(std::lround(14.0 - my / mass));
  ox = std::min(std::max(ox, 0), kImageSide - tw);
  oy = std::min(std::max(oy, 0), kImageSide - th);
  for (int y = 0; y < th; ++y)
    for (int x = 0; x < tw; ++x) out[size_t(oy + y) * kImageSide + ox + x] = small[size_t(y) * tw + x];
  return out;
}

}  // namespace

TEST_CASE("preprocess: the naive twin's result, within a few ulps, on random strokes", "[preprocess]") {
  std::mt19937 rng(12345);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  for (int trial = 0; trial < 300; ++trial) {
    const int w = 1 + int(rng() % 160), h = 1 + int(rng() % 160);
    Canvas c(w, h);
    // A few soft strokes (discs along a segment), values out of [0, 1] at times,
    // faint noise below the ink threshold, now and then nothing at all.
    const int strokes = int(rng() % 4);
    for (int s = 0; s < strokes; ++s) {
      const float ax = unit(rng) * w, ay = unit(rng) * h, bx = unit(rng) * w, by = unit(rng) * h;
      const float r = 0.5f + unit(rng) * 8, peak = trial % 7 == 0 ? 3.0f : 1.0f;
      const float dx = bx - ax, dy = by - ay, len2 = std::max(1e-6f, dx * dx + dy * dy);
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
          const float px = x + 0.5f - ax, py = y + 0.5f - ay;
          const float t = std::min(1.0f, std::max(0.0f, (px * dx + py * dy) / len2));
          const float d = std::hypot(px - t * dx, py - t * dy);  // to the segment
          float& v = c.px[size_t(y) * w + x];
          v = std::max(v, peak * std::max(0.0f, 1 - d / r));
        }
    }
    for (float& v : c.px)
      if (trial % 3 == 0) v += unit(rng) * 0.04f - (trial % 5 == 0 ? 0.5f : 0.0f);
    INFO("trial " << trial << ": " << w << "x" << h);
    CHECK(max_ulps_apart(c.preprocess(), naive_preprocess(c.px.data(), w, h)) <= kUlps);
  }
}

TEST_CASE("preprocess: area resampling matches the naive twin within a few ulps", "[preprocess]") {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  for (int trial = 0; trial < 200; ++trial) {
    const int sw = 1 + int(rng() % 120), sh = 1 + int(rng() % 120), dw = 1 + int(rng() % 28),
              dh = 1 + int(rng() % 28);
    std::vector<float> src(size_t(sw) * sh);
    for (float& v : src) v = unit(rng);
    std::vector<float> fast(size_t(dw) * dh), slow(size_t(dw) * dh);
    resample_area(src.data(), sw, sh, fast.data(), dw, dh);
    naive_resample_area(src.data(), sw, sh, slow.data(), dw, dh);
    INFO(sw << "x" << sh << " -> " << dw << "x" << dh);
    CHECK(max_ulps_apart(fast, slow) <= kUlps);
  }
}

TEST_CASE("preprocess: an off-centre rectangle is scaled to 20 px and centred", "[preprocess]") {
  Canvas c(200, 200);
  c.fill(30, 120, 75, 150);  // 45 wide, 30 tall, in the lower left
  const std::vector<float> img = c.preprocess();
  const Ink ink = measure(img);
  // The longer side becomes 20 px; the other 20 * 30/45 = 13.3 -> 13 px.
  CHECK(ink.width() == 20);
  CHECK(ink.height() == 13);
  CHECK(ink.cx == Approx(14.0).margin(0.5));
  CHECK(ink.cy == Approx(14.0).margin(0.5));
  // Every output pixel lies wholly inside the rectangle, so it is full ink.
  CHECK(ink.mass == Approx(20 * 13));
  CHECK(*std::max_element(img.begin(), img.end()) == 1.0f);
}

TEST_CASE("preprocess: the aspect ratio is kept", "[preprocess]") {
  SECTION("a tall thin stroke") {
    Canvas c(150, 200);
    c.fill(100, 20, 112, 140);  // 12 x 120 -> 20 * 12/120 = 2 px wide, 20 tall
    const Ink ink = measure(c.preprocess());
    CHECK(ink.width() == 2);
    CHECK(ink.height() == 20);
    CHECK(ink.cx == Approx(14.0).margin(0.5));
    CHECK(ink.cy == Approx(14.0).margin(0.5));
  }
  SECTION("a wide flat stroke") {
    Canvas c(300, 100);
    c.fill(10, 40, 250, 64);  // 240 x 24 -> 20 wide, 2 tall
    const Ink ink = measure(c.preprocess());
    CHECK(ink.width() == 20);
    CHECK(ink.height() == 2);
  }
  SECTION("a one-pixel dot fills one pixel in the centre") {
    Canvas c(50, 50);
    c.fill(7, 41, 8, 42);
    const Ink ink = measure(c.preprocess());
    // 1x1 -> 20x20 full ink, centred: pixels 4..23.
    CHECK(ink.width() == 20);
    CHECK(ink.height() == 20);
    CHECK(ink.x0 == 4);
    CHECK(ink.y0 == 4);
  }
}

TEST_CASE("preprocess: empty, faint and over-bright drawings", "[preprocess]") {
  Canvas empty(64, 48);
  CHECK(empty.preprocess() == std::vector<float>(kImagePixels, 0.0f));
  Canvas faint(64, 48);
  faint.fill(10, 10, 30, 30, 0.04f);  // below the 0.05 ink threshold
  CHECK(faint.preprocess() == std::vector<float>(kImagePixels, 0.0f));

  // Ink beyond [0, 1] is clamped: 5.0 draws like 1.0, negative like nothing.
  Canvas bright(64, 64), normal(64, 64);
  bright.fill(0, 0, 64, 64, -3.0f);
  bright.fill(10, 20, 30, 50, 5.0f);
  normal.fill(10, 20, 30, 50, 1.0f);
  CHECK(bright.preprocess() == normal.preprocess());
  // A faint fringe does not move the bounding box.
  normal.fill(60, 60, 61, 61, 0.03f);
  CHECK(measure(normal.preprocess()).height() == 20);
}

TEST_CASE("preprocess: bad sizes and non-finite pixels are rejected", "[preprocess]") {
  std::vector<float> px(16, 0.0f);
  CHECK_THROWS_WITH(preprocess_drawing(px.data(), 0, 4), Contains("drawing size 0x4 is out of range"));
  CHECK_THROWS_WITH(preprocess_drawing(px.data(), 4, -1), Contains("out of range"));
  CHECK_THROWS_WITH(preprocess_drawing(px.data(), 5000, 1), Contains("out of range (1..4096)"));
  px[7] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(preprocess_drawing(px.data(), 4, 4), Contains("non-finite value at pixel 7"));
  px[7] = INFINITY;
  CHECK_THROWS_AS(preprocess_drawing(px.data(), 4, 4), Error);
}

TEST_CASE("preprocess: area resampling by hand", "[preprocess]") {
  // 4 -> 2: each output averages two inputs.
  const float row4[] = {1, 3, 5, 7};
  float out2[2];
  resample_area(row4, 4, 1, out2, 2, 1);
  CHECK(out2[0] == Approx(2.0f));
  CHECK(out2[1] == Approx(6.0f));
  // 3 -> 2: each output covers 1.5 inputs: (0 + 0.5 * 3) / 1.5 = 1, (0.5 * 3 + 6) / 1.5 = 5
  const float row3[] = {0, 3, 6};
  resample_area(row3, 3, 1, out2, 2, 1);
  CHECK(out2[0] == Approx(1.0f));
  CHECK(out2[1] == Approx(5.0f));
  // 2x2 -> 1x1 is the mean; 1x1 -> 3x2 repeats it.
  const float square[] = {1, 2, 3, 6};
  float one;
  resample_area(square, 2, 2, &one, 1, 1);
  CHECK(one == Approx(3.0f));
  float big[6];
  resample_area(&one, 1, 1, big, 3, 2);
  for (float v : big) CHECK(v == Approx(3.0f));
}
