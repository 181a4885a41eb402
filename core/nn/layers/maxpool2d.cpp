#include "nn/layers/maxpool2d.h"

#include <algorithm>
#include <cstdint>

#include "nn/util/check.h"

namespace mnist {

Shape pooled_shape(const Layer& l, const Shape& in, int k) {
  check(k >= 1, l.token(), ": the window must be at least 1");
  require_image(l, in);
  check(in.h >= k && in.w >= k, l.token(), ": the window is larger than its ", in.str(), " input");
  return image_shape(in.c, in.h / k, in.w / k);
}

int pool_window(const Token& t, const char* usage) {
  t.expect_args(1, 1, usage);
  return int(t.whole(0, "window", 1, kImageSide));
}

std::unique_ptr<Layer> MaxPool2d::make(const Token& t) {
  return std::make_unique<MaxPool2d>(pool_window(t, kSyntax.usage));
}

Shape MaxPool2d::configure(const Shape& in) {
  out_ = pooled_shape(*this, in, k_);
  in_ = in;
  return out_;
}

namespace {

#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 12)
typedef float v4 __attribute__((vector_size(16), aligned(4), may_alias));
typedef int32_t i4 __attribute__((vector_size(16), aligned(4), may_alias));

// Four 2x2 windows side by side, output columns ox..ox+3 of the row pair r0 / r1,
// split into lanes: a top left, b top right, c bottom left, d bottom right.
struct Windows4 {
  v4 a, b, c, d;
};
inline Windows4 windows4(const float* r0, const float* r1, int ox) {
  const v4 r00 = *reinterpret_cast<const v4*>(r0 + 2 * ox),
           r01 = *reinterpret_cast<const v4*>(r0 + 2 * ox + 4);
  const v4 r10 = *reinterpret_cast<const v4*>(r1 + 2 * ox),
           r11 = *reinterpret_cast<const v4*>(r1 + 2 * ox + 4);
  return {__builtin_shufflevector(r00, r01, 0, 2, 4, 6), __builtin_shufflevector(r00, r01, 1, 3, 5, 7),
          __builtin_shufflevector(r10, r11, 0, 2, 4, 6), __builtin_shufflevector(r10, r11, 1, 3, 5, 7)};
}
#endif

// One (H, W) plane -> (H/2, W/2). The select chain keeps the reference's
// semantics (a later element wins only if strictly greater) without branches.
void pool2_forward_plane(const float* x, float* y, int H, int W) {
  const int OH = H / 2, OW = W / 2;
  for (int oy = 0; oy < OH; ++oy) {
    const float* r0 = x + size_t(2 * oy) * W;
    const float* r1 = r0 + W;
    float* yo = y + size_t(oy) * OW;
    int ox = 0;
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 12)
    // Four windows at a time: the row pair split into the windows' a b / c d
    // lanes, then the same select chain lane by lane.
    for (; ox + 4 <= OW; ox += 4) {
      const auto [a, b, c, d] = windows4(r0, r1, ox);
      i4 v = reinterpret_cast<i4>(a);
      const auto take = [&v](v4 cand) {
        const i4 m = cand > reinterpret_cast<v4>(v);
        v = (reinterpret_cast<i4>(cand) & m) | (v & ~m);
      };
      take(b);
      take(c);
      take(d);
      *reinterpret_cast<i4*>(yo + ox) = v;
    }
#endif
    for (; ox < OW; ++ox) {
      float v = r0[2 * ox];
      v = r0[2 * ox + 1] > v ? r0[2 * ox + 1] : v;
      v = r1[2 * ox] > v ? r1[2 * ox] : v;
      v = r1[2 * ox + 1] > v ? r1[2 * ox + 1] : v;
      yo[ox] = v;
    }
  }
}

// dx plane (H, W), overwritten: each window gets dy at its first element equal
// to y, zeros elsewhere (and at a dropped trailing row/column). If nothing
// matches (a NaN output) the first element takes it, as the forward scan did.
void pool2_backward_plane(const float* x, const float* y, const float* dy, float* dx, int H, int W) {
  const int OH = H / 2, OW = W / 2;
  if (H % 2 || W % 2) std::fill(dx, dx + size_t(H) * W, 0.0f);
  for (int oy = 0; oy < OH; ++oy) {
    const float* r0 = x + size_t(2 * oy) * W;
    const float* r1 = r0 + W;
    float* d0 = dx + size_t(2 * oy) * W;
    float* d1 = d0 + W;
    const float* yo = y + size_t(oy) * OW;
    const float* go = dy + size_t(oy) * OW;
    int ox = 0;
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 12)
    // Four windows at a time: split each row pair into the windows' a b / c d
    // lanes, pick the first match per window with the same mask logic as the
    // scalar loop below, and interleave the masked gradients back.
    for (; ox + 4 <= OW; ox += 4) {
      const v4 v = *reinterpret_cast<const v4*>(yo + ox);
      const i4 g = reinterpret_cast<i4>(*reinterpret_cast<const v4*>(go + ox));
      const auto [a, b, c, d] = windows4(r0, r1, ox);
      const i4 ea = a == v, eb = b == v, ec = c == v, ed = d == v;
      const i4 mb = eb & ~ea, mc = ec & ~ea & ~eb, md = ed & ~ea & ~eb & ~ec;
      const i4 ga = g & ~(mb | mc | md), gb = g & mb, gc = g & mc, gd = g & md;
      *reinterpret_cast<i4*>(d0 + 2 * ox) = __builtin_shufflevector(ga, gb, 0, 4, 1, 5);
      *reinterpret_cast<i4*>(d0 + 2 * ox + 4) = __builtin_shufflevector(ga, gb, 2, 6, 3, 7);
      *reinterpret_cast<i4*>(d1 + 2 * ox) = __builtin_shufflevector(gc, gd, 0, 4, 1, 5);
      *reinterpret_cast<i4*>(d1 + 2 * ox + 4) = __builtin_shufflevector(gc, gd, 2, 6, 3, 7);
    }
#endif
    for (; ox < OW; ++ox) {
      const float v = yo[ox], g = go[ox];
      const float a = r0[2 * ox], b = r0[2 * ox + 1], c = r1[2 * ox], d = r1[2 * ox + 1];
      // Bitwise, not short-circuit, logic: selects instead of branches that
      // would mispredict on every other window.
      const bool ea = a == v, eb = b == v, ec = c == v, ed = d == v;
      const bool mb = eb & !ea, mc = ec & !ea & !eb, md = ed & !ea & !eb & !ec;
      const bool ma = !(mb | mc | md);
      d0[2 * ox] = ma ? g : 0.0f;
      d0[2 * ox + 1] = mb ? g : 0.0f;
      d1[2 * ox] = mc ? g : 0.0f;
      d1[2 * ox + 1] = md ? g : 0.0f;
    }
  }
}

// Any k, the same rule as above.
void poolk_backward_plane(const float* x, const float* y, const float* dy, float* dx, int H, int W, int k) {
  const int OH = H / k, OW = W / k;
  std::fill(dx, dx + size_t(H) * W, 0.0f);
  for (int oy = 0; oy < OH; ++oy)
    for (int ox = 0; ox < OW; ++ox) {
      const float v = y[oy * OW + ox];
      size_t at = size_t(oy * k) * W + ox * k;
      bool found = false;
      for (int ky = 0; ky < k && !found; ++ky)
        for (int kx = 0; kx < k && !found; ++kx) {
          const size_t i = size_t(oy * k + ky) * W + ox * k + kx;
          if (x[i] == v) at = i, found = true;
        }
      dx[at] = dy[oy * OW + ox];
    }
}

}  // namespace

void MaxPool2d::forward(const float* x, float* y, int n, bool) {
  const int H = in_.h, W = in_.w;
  const size_t planes = size_t(n) * in_.c, in_plane = size_t(H) * W, out_plane = size_t(out_.h) * out_.w;
  if (k_ == 2) {
    for (size_t p = 0; p < planes; ++p) pool2_forward_plane(x + p * in_plane, y + p * out_plane, H, W);
  } else {
    maxpool2d_reference_forward(x, y, n, in_.c, H, W, k_);
  }
}

void MaxPool2d::backward(const float* x, const float* y, const float* dy, float* dx, int n) {
  if (!dx) return;
  const int H = in_.h, W = in_.w;
  const size_t planes = size_t(n) * in_.c, in_plane = size_t(H) * W, out_plane = size_t(out_.h) * out_.w;
  for (size_t p = 0; p < planes; ++p) {
    if (k_ == 2)
      pool2_backward_plane(x + p * in_plane, y + p * out_plane, dy + p * out_plane, dx + p * in_plane, H, W);
    else
      poolk_backward_plane(x + p * in_plane, y + p * out_plane, dy + p * out_plane, dx + p * in_plane, H, W,
                           k_);
  }
}

namespace {

// Index within the plane of the reference scan's winner for window (oy, ox).
size_t reference_winner(const float* xp, int W, int k, int oy, int ox) {
  size_t best = size_t(oy * k) * W + ox * k;
  float best_v = xp[best];
  for (int ky = 0; ky < k; ++ky)
    for (int kx = 0; kx < k; ++kx) {
      const size_t i = size_t(oy * k + ky) * W + ox * k + kx;
      if (xp[i] > best_v) best_v = xp[i], best = i;
    }
  return best;
}

}  // namespace

void maxpool2d_reference_forward(const float* x, float* y, int n, int C, int H, int W, int k) {
  const int OH = H / k, OW = W / k;
  for (size_t p = 0; p < size_t(n) * C; ++p) {
    const float* xp = x + p * H * W;
    for (int oy = 0; oy < OH; ++oy)
      for (int ox = 0; ox < OW; ++ox) y[(p * OH + oy) * OW + ox] = xp[reference_winner(xp, W, k, oy, ox)];
  }
}

void maxpool2d_reference_backward(const float* x, const float* dy, float* dx, int n, int C, int H, int W,
                                  int k) {
  const int OH = H / k, OW = W / k;
  std::fill(dx, dx + size_t(n) * C * H * W, 0.0f);
  for (size_t p = 0; p < size_t(n) * C; ++p) {
    const float* xp = x + p * H * W;
    for (int oy = 0; oy < OH; ++oy)
      for (int ox = 0; ox < OW; ++ox)
        dx[p * H * W + reference_winner(xp, W, k, oy, ox)] += dy[(p * OH + oy) * OW + ox];
  }
}

}  // namespace mnist
