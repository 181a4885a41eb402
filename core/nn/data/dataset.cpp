#include "nn/data/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <utility>
#include <vector>

#include "nn/data/idx.h"
#include "nn/util/check.h"
#include "nn/util/types.h"

namespace mnist {

void Dataset::limit(int n) {
  if (n <= 0 || n >= count) return;
  count = n;
  images.resize(size_t(n) * kImagePixels);
  labels.resize(size_t(n));
}

namespace {

// Checks an image file and a label file as a pair -> their headers (count = dims[0] of both).
std::pair<IdxHeader, IdxHeader> check_pair(const uint8_t* images, size_t images_size, const uint8_t* labels,
                                           size_t labels_size, const std::string& what) {
  IdxHeader im = parse_idx_header(images, images_size, 3, what + " images");
  IdxHeader lb = parse_idx_header(labels, labels_size, 1, what + " labels");
  const uint8_t* label_data = labels + lb.data_offset;
  check(im.dims[1] == kImageSide && im.dims[2] == kImageSide, what, " images: are ", im.dims[1], "x",
        im.dims[2], ", expected 28x28");
  check(im.dims[0] == lb.dims[0], what, ": ", im.dims[0], " images but ", lb.dims[0], " labels");
  check(im.dims[0] <= (1u << 24), what, ": too many images (", im.dims[0], ")");
  for (size_t i = 0; i < lb.dims[0]; ++i)
    check(label_data[i] < kClasses, what, " labels: label ", int(label_data[i]), " at index ", i,
          " is out of range 0..9");
  return {std::move(im), std::move(lb)};
}

}  // namespace

Dataset dataset_from_idx(const uint8_t* images, size_t images_size, const uint8_t* labels, size_t labels_size,
                         const std::string& what) {
  const auto [im, lb] = check_pair(images, images_size, labels, labels_size, what);
  Dataset ds;
  ds.count = int(im.dims[0]);
  ds.images.assign(images + im.data_offset, images + images_size);
  ds.labels.assign(labels + lb.data_offset, labels + labels_size);
  return ds;
}

Dataset dataset_from_idx(std::vector<uint8_t>&& images, std::vector<uint8_t>&& labels,
                         const std::string& what) {
  const auto [im, lb] = check_pair(images.data(), images.size(), labels.data(), labels.size(), what);
  Dataset ds;
  ds.count = int(im.dims[0]);
  images.erase(images.begin(), images.begin() + std::ptrdiff_t(im.data_offset));
  labels.erase(labels.begin(), labels.begin() + std::ptrdiff_t(lb.data_offset));
  ds.images = std::move(images);
  ds.labels = std::move(labels);
  return ds;
}

Dataset load_mnist(const std::string& dir, const std::string& split) {
  check(split == "train" || split == "test", "unknown split '", split, "'");
  const std::string prefix = dir + "/" + (split == "train" ? "train" : "t10k");
  const auto im = read_idx_file(prefix + "-images-idx3-ubyte", 3);
  const auto lb = read_idx_file(prefix + "-labels-idx1-ubyte", 1);
  return dataset_from_idx(im.data(), im.size(), lb.data(), lb.size(), prefix);
}

void to_float(const Dataset& ds, const uint32_t* idx, int n, float* dst) {
  constexpr float kScale = 1.0f / 255.0f;
  for (int s = 0; s < n; ++s) {
    const uint8_t* src = ds.image(int(idx[s]));
    float* d = dst + size_t(s) * kImagePixels;
    for (int i = 0; i < kImagePixels; ++i) d[i] = src[i] * kScale;
  }
}

void augment_image(const uint8_t* src, float* dst, Rng& rng, float max_deg, float max_shift) {
  const float a = rng.uniform(-max_deg, max_deg) * 3.14159265f / 180.0f;
  const float tx = rng.uniform(-max_shift, max_shift), ty = rng.uniform(-max_shift, max_shift);
  const float ca = std::cos(a), sa = std::sin(a), c = 13.5f;
  constexpr float kScale = 1.0f / 255.0f;
  auto at = [src](int x, int y) -> float {
    return (x < 0 || y < 0 || x >= kImageSide || y >= kImageSide) ? 0.0f : float(src[y * kImageSide + x]);
  };
  for (int y = 0; y < kImageSide; ++y) {
    for (int x = 0; x < kImageSide; ++x) {
      // Inverse map: where in the source does this output pixel come from?
      const float ux = x - c - tx, uy = y - c - ty;
      const float sx = ca * ux + sa * uy + c, sy = -sa * ux + ca * uy + c;
      const float fx = std::floor(sx), fy = std::floor(sy);
      const int x0 = int(fx), y0 = int(fy);
      const float wx = sx - fx, wy = sy - fy;
      const float v = (1 - wy) * ((1 - wx) * at(x0, y0) + wx * at(x0 + 1, y0)) +
                      wy * ((1 - wx) * at(x0, y0 + 1) + wx * at(x0 + 1, y0 + 1));
      dst[y * kImageSide + x] = v * kScale;
    }
  }
}

void shift_image(const float* src, float* dst, int dx, int dy) {
  for (int y = 0; y < kImageSide; ++y)
    for (int x = 0; x < kImageSide; ++x) {
      const int sx = x - dx, sy = y - dy;
      const bool in = sx >= 0 && sy >= 0 && sx < kImageSide && sy < kImageSide;
      dst[y * kImageSide + x] = in ? src[sy * kImageSide + sx] : 0.0f;
    }
}

}  // namespace mnist

namespace mnist {

void rotate_image(const float* src, float* dst, float degrees) { move_image(src, dst, 0.0f, 0.0f, degrees); }

void move_image(const float* src, float* dst, float dx, float dy, float degrees) {
  const float a = degrees * 3.14159265f / 180.0f, ca = std::cos(a), sa = std::sin(a), c = 13.5f;
  auto at = [src](int x, int y) -> float {
    return (x < 0 || y < 0 || x >= kImageSide || y >= kImageSide) ? 0.0f : src[y * kImageSide + x];
  };
  for (int y = 0; y < kImageSide; ++y)
    for (int x = 0; x < kImageSide; ++x) {
      const float ux = x - c - dx, uy = y - c - dy;
      const float sx = ca * ux + sa * uy + c, sy = -sa * ux + ca * uy + c;
      const float fx = std::floor(sx), fy = std::floor(sy), wx = sx - fx, wy = sy - fy;
      const int x0 = int(fx), y0 = int(fy);
      dst[y * kImageSide + x] = (1 - wy) * ((1 - wx) * at(x0, y0) + wx * at(x0 + 1, y0)) +
                                wy * ((1 - wx) * at(x0, y0 + 1) + wx * at(x0 + 1, y0 + 1));
    }
}

void stroke_image(const float* src, float* dst, int steps) {
  std::vector<float> cur(src, src + kImagePixels), next(kImagePixels);
  for (int step = 0; step < std::abs(steps); ++step) {
    for (int y = 0; y < kImageSide; ++y)
      for (int x = 0; x < kImageSide; ++x) {
        float v = cur[y * kImageSide + x];
        for (int dy = -1; dy <= 1; ++dy)
          for (int dx = -1; dx <= 1; ++dx) {
            const int yy = y + dy, xx = x + dx;
            const float n =
                (yy < 0 || xx < 0 || yy >= kImageSide || xx >= kImageSide) ? 0.0f : cur[yy * kImageSide + xx];
            v = steps > 0 ? std::max(v, n) : std::min(v, n);
          }
        next[y * kImageSide + x] = v;
      }
    cur.swap(next);
  }
  std::copy(cur.begin(), cur.end(), dst);
}

}  // namespace mnist

namespace mnist {

std::vector<float> transform_image(const float* image, float dx, float dy, float degrees, int thickness) {
  check(std::isfinite(dx) && std::isfinite(dy) && std::isfinite(degrees),
        "the shift and the angle must be finite");
  check(std::fabs(dx) <= kImageSide && std::fabs(dy) <= kImageSide, "the shift must be within ", kImageSide,
        " pixels, got ", dx, ", ", dy);
  check(std::fabs(degrees) <= 360.0f, "the angle must be within 360 degrees, got ", degrees);
  check(thickness >= -2 && thickness <= 2, "the thickness must be -2..2 steps, got ", thickness);
  std::vector<float> stroked(kImagePixels), out(kImagePixels);
  stroke_image(image, stroked.data(), thickness);
  move_image(stroked.data(), out.data(), dx, dy, degrees);
  return out;
}

}  // namespace mnist
