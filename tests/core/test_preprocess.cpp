// A drawing -> the 28x28 input: crop to the ink, longer side to 20 px keeping the
// aspect ratio, centre of mass at (14, 14).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "nn/data/preprocess.h"
#include "nn/util/check.h"
#include "nn/util/types.h"

using namespace mnist;
using Catch::Contains;

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

}  // namespace

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
