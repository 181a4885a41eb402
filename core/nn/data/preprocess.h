#pragma once
// A drawing -> the 28x28 image the models expect, the way MNIST itself was made:
// crop to the ink's bounding box, scale it into 20x20 keeping the aspect ratio
// (area-averaged, so anti-aliased), then place it in 28x28 with its centre of
// mass at the centre.
#include <vector>

namespace mnist {

// pixels: (height, width) ink in [0, 1] (values outside are clamped). Returns
// (784) floats in [0, 1]; an empty drawing gives all zeros. Throws mnist::Error
// for bad sizes or non-finite values.
std::vector<float> preprocess_drawing(const float* pixels, int width, int height);

// The drawing as it is, without MNIST's crop and centring: its longer side
// scaled to 28 (area-averaged, aspect kept), in the middle of the 28x28 frame.
// pixels: (height, width) ink in [0, 1] (clamped). Returns (784). Throws as
// preprocess_drawing.
std::vector<float> scale_drawing(const float* pixels, int width, int height);

// Area-averaging resample. src: (sh, sw) -> dst: (dh, dw)
void resample_area(const float* src, int sw, int sh, float* dst, int dw, int dh);

}  // namespace mnist
