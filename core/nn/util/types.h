#pragma once
// Shapes and Eigen views. Tensors are batch-major float32 (N, C, H, W), contiguous.
// A batch of N samples of D features is viewed column-major as (D, N): one column
// per sample, which is exactly the batch-major memory.
#include <Eigen/Core>
#include <string>

namespace mnist {

using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;  // col-major
using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatMap = Eigen::Map<Mat>;
using ConstMatMap = Eigen::Map<const Mat>;
using RowMatMap = Eigen::Map<RowMat>;
using ConstRowMatMap = Eigen::Map<const RowMat>;
using VecMap = Eigen::Map<Eigen::VectorXf>;
using ConstVecMap = Eigen::Map<const Eigen::VectorXf>;

// Per-sample shape. A flat vector of D features is {D, 1, 1, flat=true}.
struct Shape {
  int c = 0, h = 0, w = 0;
  bool flat = false;
  int size() const { return c * h * w; }
  std::string str() const {
    return flat ? std::to_string(c) : std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
  }
  bool operator==(const Shape& o) const { return c == o.c && h == o.h && w == o.w && flat == o.flat; }
};

inline Shape flat_shape(int d) { return Shape{d, 1, 1, true}; }
inline Shape image_shape(int c, int h, int w) { return Shape{c, h, w, false}; }

constexpr int kImageSide = 28;
constexpr int kImagePixels = kImageSide * kImageSide;
constexpr int kClasses = 10;

}  // namespace mnist
