// The Draw view's image operations: the drawing scaled whole (no MNIST crop or
// centring) and the moves of a 28x28 image (shift, rotate, thicken), on hand-made
// images whose results are known exactly.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "nn/data/dataset.h"
#include "nn/data/preprocess.h"
#include "nn/util/check.h"
#include "nn/util/types.h"

using namespace mnist;
using Catch::Contains;

namespace {

std::vector<float> dot(int x, int y, float v = 1.0f) {
  std::vector<float> img(kImagePixels, 0.0f);
  img[size_t(y * kImageSide + x)] = v;
  return img;
}

float at(const std::vector<float>& img, int x, int y) { return img[size_t(y * kImageSide + x)]; }

}  // namespace

TEST_CASE("scale_drawing keeps the drawing where it is: each 2x2 block of a 56x56 pad is one pixel",
          "[draw]") {
  std::vector<float> pad(56 * 56, 0.0f);
  // A block in the top-left corner (pixels 2-3 of rows 4-5) and a half-covered one lower right.
  for (int y = 4; y < 6; ++y)
    for (int x = 2; x < 4; ++x) pad[size_t(y * 56 + x)] = 1.0f;
  pad[size_t(50 * 56 + 40)] = 2.0f;  // clamped to 1
  pad[size_t(51 * 56 + 41)] = 1.0f;
  const auto img = scale_drawing(pad.data(), 56, 56);
  REQUIRE(img.size() == size_t(kImagePixels));
  CHECK(at(img, 1, 2) == 1.0f);
  CHECK(at(img, 20, 25) == 0.5f);
  double sum = 0;
  for (float v : img) sum += v;
  CHECK(sum == 1.5);
  // preprocess_drawing of the same pad would move the ink to the centre; this does not.
  CHECK(at(preprocess_drawing(pad.data(), 56, 56), 1, 2) == 0.0f);
}

TEST_CASE("scale_drawing fits the longer side of a wide drawing and centres the frame", "[draw]") {
  std::vector<float> pad(56 * 28, 1.0f);  // 56 wide, 28 high, all ink
  const auto img = scale_drawing(pad.data(), 56, 28);
  for (int y = 0; y < kImageSide; ++y) {
    CAPTURE(y);
    CHECK(at(img, 5, y) == (y >= 7 && y < 21 ? 1.0f : 0.0f));  // 14 rows in the middle
  }
  CHECK_THROWS_WITH(scale_drawing(pad.data(), 0, 28), Contains("out of range"));
  pad[3] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(scale_drawing(pad.data(), 56, 28), Contains("non-finite"));
}

TEST_CASE("transform_image: whole-pixel shifts are exact, halves interpolate", "[draw]") {
  const auto img = dot(10, 12);
  const auto moved = transform_image(img.data(), 3, -2, 0, 0);
  CHECK(at(moved, 13, 10) == 1.0f);
  double sum = 0;
  for (float v : moved) sum += v;
  CHECK(sum == 1.0);
  const auto half = transform_image(img.data(), 0.5f, 0, 0, 0);
  CHECK(at(half, 10, 12) == 0.5f);
  CHECK(at(half, 11, 12) == 0.5f);
  // Off the frame: zero fill.
  const auto gone = transform_image(img.data(), 20, 0, 0, 0);
  for (float v : gone) CHECK(v == 0.0f);
}

TEST_CASE("transform_image rotates clockwise about the centre", "[draw]") {
  // (20, 13.5) is 6.5 right of the centre (13.5, 13.5); a quarter turn clockwise with
  // y down puts it 6.5 below: (13.5, 20). Pixels 20 of rows 13 and 14 -> row 20, columns 13 and 14.
  std::vector<float> img(kImagePixels, 0.0f);
  img[size_t(13 * kImageSide + 20)] = img[size_t(14 * kImageSide + 20)] = 1.0f;
  const auto turned = transform_image(img.data(), 0, 0, 90, 0);
  CHECK(at(turned, 13, 20) == Approx(1.0f).margin(1e-5));
  CHECK(at(turned, 14, 20) == Approx(1.0f).margin(1e-5));
  CHECK(at(turned, 20, 13) == Approx(0.0f).margin(1e-5));
}

TEST_CASE("transform_image thickens and thins by whole 3x3 steps, before it moves", "[draw]") {
  const auto img = dot(10, 10, 0.75f);
  const auto thick = transform_image(img.data(), 0, 0, 0, 2);  // a 5x5 square
  for (int y = 0; y < kImageSide; ++y)
    for (int x = 0; x < kImageSide; ++x) {
      CAPTURE(x, y);
      CHECK(at(thick, x, y) == (std::abs(x - 10) <= 2 && std::abs(y - 10) <= 2 ? 0.75f : 0.0f));
    }
  const auto back = transform_image(thick.data(), 0, 0, 0, -2);  // erosion undoes it here
  CHECK(back == img);
  const auto thin = transform_image(img.data(), 0, 0, 0, -1);  // a lone dot vanishes
  for (float v : thin) CHECK(v == 0.0f);
  const auto both = transform_image(img.data(), 4, 0, 0, 1);  // thickened, then shifted
  CHECK(at(both, 13, 9) == 0.75f);
  CHECK(at(both, 15, 11) == 0.75f);
  CHECK(at(both, 12, 10) == 0.0f);
  CHECK_THROWS_WITH(transform_image(img.data(), 0, 0, 0, 3), Contains("-2..2"));
  CHECK_THROWS_WITH(transform_image(img.data(), std::nanf(""), 0, 0, 0), Contains("finite"));
}
