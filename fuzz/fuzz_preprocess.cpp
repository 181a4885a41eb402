// libFuzzer: drawing preprocessing on any size and pixel values (NaN, inf,
// negative, huge) gives a 28x28 image in [0, 1] or an mnist::Error.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "nn/data/preprocess.h"
#include "nn/util/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const int width = 1 + data[0] % 64, height = 1 + data[1] % 64;
  std::vector<float> px(size_t(width) * height, 0.0f);
  const size_t floats = std::min(px.size(), (size - 2) / 4);
  std::memcpy(px.data(), data + 2, floats * 4);
  try {
    const std::vector<float> out = mnist::preprocess_drawing(px.data(), width, height);
    if (out.size() != 784) std::abort();
    for (float v : out)
      if (!(v >= 0.0f && v <= 1.0f)) std::abort();
  } catch (const mnist::Error&) {
  }
  return 0;
}
