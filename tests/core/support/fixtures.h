#pragma once
// Data the tests make for themselves: IDX file images, a small learnable data
// set, scratch paths.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include "nn/data/dataset.h"
#include "nn/data/idx.h"
#include "nn/util/rng.h"
#include "nn/util/types.h"

namespace mnist::test {

// The two IDX file images of a data set.
struct IdxPair {
  std::vector<uint8_t> images, labels;
};

// images: (count, rows, cols) bytes.
inline std::vector<uint8_t> image_idx(uint32_t count, uint32_t rows, uint32_t cols,
                                      const std::vector<uint8_t>& px) {
  return make_idx({count, rows, cols}, px);
}
inline std::vector<uint8_t> label_idx(const std::vector<uint8_t>& labels) {
  return make_idx({uint32_t(labels.size())}, labels);
}

inline IdxPair to_idx(const Dataset& ds) {
  return {image_idx(uint32_t(ds.count), kImageSide, kImageSide, ds.images), label_idx(ds.labels)};
}

// `count` 28x28 images whose pixel i of image s is (s * 7 + i) mod 256, labels s mod 10.
inline Dataset ramp_dataset(int count) {
  Dataset ds;
  ds.count = count;
  ds.images.resize(size_t(count) * kImagePixels);
  ds.labels.resize(size_t(count));
  for (int s = 0; s < count; ++s) {
    for (int i = 0; i < kImagePixels; ++i)
      ds.images[size_t(s) * kImagePixels + i] = uint8_t((s * 7 + i) % 256);
    ds.labels[size_t(s)] = uint8_t(s % 10);
  }
  return ds;
}

// Where class c's blob sits: a 5x2 grid, 5 px apart across and 12 px down.
inline void blob_centre(int c, float& cx, float& cy) {
  cx = 4.0f + 5.0f * float(c % 5);
  cy = 8.0f + 12.0f * float(c / 5);
}

// A learnable stand-in for MNIST: sample s has label s mod 10 and shows a bright
// Gaussian blob (sigma 1.8 px) at its class's place, jittered by up to ±1 px, over
// uniform noise of up to 40 grey levels. A linear model can tell the classes apart;
// chance is 10%.
inline Dataset blob_dataset(int count, uint64_t seed) {
  Rng rng(seed);
  Dataset ds;
  ds.count = count;
  ds.images.resize(size_t(count) * kImagePixels);
  ds.labels.resize(size_t(count));
  for (int s = 0; s < count; ++s) {
    const int label = s % kClasses;
    float cx, cy;
    blob_centre(label, cx, cy);
    cx += rng.uniform(-1.0f, 1.0f);
    cy += rng.uniform(-1.0f, 1.0f);
    uint8_t* img = ds.images.data() + size_t(s) * kImagePixels;
    for (int y = 0; y < kImageSide; ++y)
      for (int x = 0; x < kImageSide; ++x) {
        const float d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
        const float v = 220.0f * std::exp(-d2 / (2 * 1.8f * 1.8f)) + rng.uniform(0.0f, 40.0f);
        img[y * kImageSide + x] = uint8_t(std::min(255.0f, v));
      }
    ds.labels[size_t(s)] = uint8_t(label);
  }
  return ds;
}

// A fresh path in the temp directory, unique to this process and `name`; nothing
// is created there.
inline std::string scratch_path(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path();
  return (dir / ("mnist_lab_test_" + std::to_string(::getpid()) + "_" + name)).string();
}

}  // namespace mnist::test
