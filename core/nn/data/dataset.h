#pragma once
// MNIST kept as bytes: 60k images are 47 MB as uint8 and would be 188 MB as
// float, so pixels become floats only one batch at a time.
#include <cstdint>
#include <string>
#include <vector>

#include "nn/util/rng.h"

namespace mnist {

struct Dataset {
  int count = 0;
  std::vector<uint8_t> images;  // (count, 28, 28)
  std::vector<uint8_t> labels;  // (count), each 0..9

  const uint8_t* image(int i) const { return images.data() + size_t(i) * 784; }
  // Keeps the first n samples (n <= 0 or >= count keeps all).
  void limit(int n);
};

// From the bytes of an IDX image file and an IDX label file. Checks 28x28,
// matching counts and labels 0..9; `what` names the pair in errors.
Dataset dataset_from_idx(const uint8_t* images, size_t images_size, const uint8_t* labels, size_t labels_size,
                         const std::string& what);
// The same from the two whole files, whose vectors become the set's storage: each header is
// dropped in place, so a 47 MB file is never held twice.
Dataset dataset_from_idx(std::vector<uint8_t>&& images, std::vector<uint8_t>&& labels,
                         const std::string& what);

// Loads "<dir>/train-…" or "<dir>/t10k-…" (split = "train" | "test").
Dataset load_mnist(const std::string& dir, const std::string& split);

// Pixels to floats in [0, 1]. src: (n, 784) bytes for the given indices; dst: (n, 784)
void to_float(const Dataset& ds, const uint32_t* idx, int n, float* dst);

// A random small rotation (±max_deg) and shift (±max_shift px) of one 28x28
// image, bilinear, into floats in [0, 1]. src: (784) bytes; dst: (784)
void augment_image(const uint8_t* src, float* dst, Rng& rng, float max_deg = 10.0f, float max_shift = 2.0f);

// Shifts an image by whole pixels (dx right, dy down), zero fill. (784) -> (784)
void shift_image(const float* src, float* dst, int dx, int dy);

// Rotates an image about its centre by `degrees` (clockwise as displayed, with y
// pointing down), bilinear.
// (784) -> (784)
void rotate_image(const float* src, float* dst, float degrees);

// Shifts (dx right, dy down, in pixels; fractions interpolate) and rotates about
// the centre (clockwise as displayed), in one bilinear resampling, zero fill.
// Whole-pixel shifts without rotation are exact. (784) -> (784)
void move_image(const float* src, float* dst, float dx, float dy, float degrees);

// The Draw view's moves of a 28x28 image: thickness steps (-2..2, stroke_image),
// then the shift and rotation (move_image). Throws mnist::Error for values out
// of range. (784) -> (784)
std::vector<float> transform_image(const float* image, float dx, float dy, float degrees, int thickness);

// Thickens (steps > 0: 3x3 max filter) or thins (steps < 0: 3x3 min filter) the
// strokes, |steps| times. (784) -> (784)
void stroke_image(const float* src, float* dst, int steps);

}  // namespace mnist
