#pragma once
// Distance between floats in units in the last place: how many representable
// floats lie between a and b. For comparing two implementations of the same
// sum whose operation order or fused multiply-adds may differ by compiler and
// CPU (-march=native on one machine contracts a * b + c where another rounds
// twice), so bit-identity cannot be promised, but a few ulps can.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace mnist::test {

inline int64_t ulps_apart(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<int64_t>::max();
  // Map the floats onto a line of integers ordered like the floats (negative
  // values mirrored below zero), so the difference counts the floats between.
  const auto line = [](float f) {
    int32_t i;
    std::memcpy(&i, &f, sizeof i);
    return i < 0 ? -int64_t(i & 0x7fffffff) : int64_t(i);
  };
  const int64_t d = line(a) - line(b);
  return d < 0 ? -d : d;
}

// The largest ulps_apart over two equally long vectors (max if the sizes differ).
inline int64_t max_ulps_apart(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return std::numeric_limits<int64_t>::max();
  int64_t worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, ulps_apart(a[i], b[i]));
  return worst;
}

}  // namespace mnist::test
