// The test-time distortions used by the robustness experiments (eval --rotate/--stroke).
#include <catch2/catch.hpp>

#include <vector>

#include "nn/data/dataset.h"
#include "nn/util/types.h"

using namespace mnist;

namespace {
std::vector<float> blank() { return std::vector<float>(kImagePixels, 0.0f); }
float& px(std::vector<float>& img, int x, int y) { return img[y * kImageSide + x]; }
}  // namespace

TEST_CASE("rotate_image by 0 degrees is the identity and by 90 moves a pixel a quarter turn",
          "[transforms]") {
  std::vector<float> img = blank(), out = blank();
  px(img, 20, 13) = 1.0f;  // 6.5 px right of the centre (13.5), 0.5 px above it
  rotate_image(img.data(), out.data(), 0.0f);
  CHECK(out == img);
  rotate_image(img.data(), out.data(), 90.0f);
  // Clockwise as displayed (y down): right of the centre goes below it.
  // (dx, dy) = (6.5, -0.5) -> (0.5, 6.5): pixel (14, 20).
  CHECK(px(out, 14, 20) == Approx(1.0f).margin(1e-4));
  float total = 0;
  for (float v : out) total += v;
  CHECK(total == Approx(1.0f).margin(1e-4));
}

TEST_CASE("stroke_image thickens a dot into a 3x3 block and thins it back", "[transforms]") {
  std::vector<float> img = blank(), thick = blank(), thin = blank();
  px(img, 10, 10) = 0.8f;
  stroke_image(img.data(), thick.data(), 1);
  for (int y = 8; y <= 12; ++y)
    for (int x = 8; x <= 12; ++x) {
      const bool inside = x >= 9 && x <= 11 && y >= 9 && y <= 11;
      CHECK(px(thick, x, y) == (inside ? 0.8f : 0.0f));
    }
  stroke_image(thick.data(), thin.data(), -1);
  CHECK(thin == img);
  stroke_image(img.data(), thin.data(), -1);  // a single dot erodes away
  CHECK(thin == blank());
}
