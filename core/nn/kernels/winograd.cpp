#include "nn/kernels/winograd.h"

#include <algorithm>

#include "nn/kernels/madd.h"
#include "nn/util/check.h"

namespace mnist {

namespace {
typedef f32x4 v4;
typedef float v4u __attribute__((vector_size(16), aligned(4)));
inline v4 load4(const float* p) { return *reinterpret_cast<const v4u*>(p); }
inline void store4(float* p, v4 v) { *reinterpret_cast<v4u*>(p) = v; }

// r0..r3 (rows of a 4x4 block) -> its columns, in place.
inline void transpose4(v4& r0, v4& r1, v4& r2, v4& r3) {
  const v4 t0 = __builtin_shufflevector(r0, r1, 0, 4, 1, 5), t1 = __builtin_shufflevector(r2, r3, 0, 4, 1, 5);
  const v4 t2 = __builtin_shufflevector(r0, r1, 2, 6, 3, 7), t3 = __builtin_shufflevector(r2, r3, 2, 6, 3, 7);
  r0 = __builtin_shufflevector(t0, t1, 0, 1, 4, 5);
  r1 = __builtin_shufflevector(t0, t1, 2, 3, 6, 7);
  r2 = __builtin_shufflevector(t2, t3, 0, 1, 4, 5);
  r3 = __builtin_shufflevector(t2, t3, 2, 3, 6, 7);
}

// src (ch, rows, cols) planes -> dst[(r * stride + col) * ch + c]: channels
// innermost on a wider row stride. Four channels by four columns per 4x4
// transpose in registers.
void to_channels_last(const float* src, int ch, int rows, int cols, float* dst, int stride) {
  const size_t plane = size_t(rows) * cols;
  for (int c = 0; c < ch; c += 4)
    for (int r = 0; r < rows; ++r) {
      const float* s0 = src + size_t(c) * plane + size_t(r) * cols;
      float* d = dst + size_t(r) * stride * ch + c;
      int x = 0;
      for (; x + 4 <= cols; x += 4) {
        v4 a = load4(s0 + x), b = load4(s0 + plane + x), e = load4(s0 + 2 * plane + x),
           g = load4(s0 + 3 * plane + x);
        transpose4(a, b, e, g);
        store4(d + size_t(x) * ch, a);
        store4(d + size_t(x + 1) * ch, b);
        store4(d + size_t(x + 2) * ch, e);
        store4(d + size_t(x + 3) * ch, g);
      }
      for (; x < cols; ++x)
        store4(d + size_t(x) * ch, v4{s0[x], s0[plane + x], s0[2 * plane + x], s0[3 * plane + x]});
    }
}

// The inverse: src[(r * stride + col) * ch + c] -> dst (ch, rows, cols).
void from_channels_last(const float* src, int ch, int rows, int cols, int stride, float* dst) {
  const size_t plane = size_t(rows) * cols;
  for (int c = 0; c < ch; c += 4)
    for (int r = 0; r < rows; ++r) {
      const float* s0 = src + size_t(r) * stride * ch + c;
      float* d = dst + size_t(c) * plane + size_t(r) * cols;
      int x = 0;
      for (; x + 4 <= cols; x += 4) {
        v4 a = load4(s0 + size_t(x) * ch), b = load4(s0 + size_t(x + 1) * ch),
           e = load4(s0 + size_t(x + 2) * ch), g = load4(s0 + size_t(x + 3) * ch);
        transpose4(a, b, e, g);
        store4(d + x, a);
        store4(d + plane + x, b);
        store4(d + 2 * plane + x, e);
        store4(d + 3 * plane + x, g);
      }
      for (; x < cols; ++x) {
        const v4 v = load4(s0 + size_t(x) * ch);
        d[x] = v[0];
        d[plane + x] = v[1];
        d[2 * plane + x] = v[2];
        d[3 * plane + x] = v[3];
      }
    }
}
}  // namespace

WinogradShape::WinogradShape(int channels, int filters, int height, int width, int padding, int tile)
    : C(channels), F(filters), H(height), W(width), pad(padding), m(tile) {
  check(m == 2 || m == 4, "winograd: output tiles are 2x2 or 4x4, got ", m, "x", m);
  check(C % 4 == 0 && F % 4 == 0, "winograd: channels and filters must be multiples of 4, got ", C, " and ",
        F);
  OH = H + 2 * pad - 2;
  OW = W + 2 * pad - 2;
  check(OH >= 1 && OW >= 1, "winograd: a ", H, "x", W, " input is smaller than the 3x3 kernel");
  TH = (OH + m - 1) / m;
  TW = (OW + m - 1) / m;
  HP = m * TH + 2;
  WP = m * TW + 2;
}

namespace {

// The 1-D transforms of F(m, 3), A = m + 2 points, on four lanes at once, and
// their adjoints (the backward pass applies the transpose of each matrix):
//   input  B^T (A x A)    output  A^T (m x A)    filter  G (A x 3)
// F(2, 3) interpolates at 0, 1, -1 and infinity; F(4, 3) at 0, 1, -1, 2, -2
// and infinity (Lavin & Gray 2015), whose larger coefficients cost a little
// precision (about 1e-6 relative here) for 4/9 of F(2, 3)'s multiplies per output.
template <int M>
struct Transforms;

template <>
struct Transforms<2> {
  static constexpr int A = 4;
  template <typename T>
  static void input(const T* d, T* r) {  // r = B^T d
    r[0] = d[0] - d[2];
    r[1] = d[1] + d[2];
    r[2] = d[2] - d[1];
    r[3] = d[1] - d[3];
  }
  template <typename T>
  static void input_adjoint(const T* v, T* d) {  // d = B v
    d[0] = v[0];
    d[1] = v[1] - v[2] + v[3];
    d[2] = v[1] + v[2] - v[0];
    d[3] = -v[3];
  }
  template <typename T>
  static void output(const T* m, T* y) {  // y = A^T m
    y[0] = m[0] + m[1] + m[2];
    y[1] = m[1] - m[2] - m[3];
  }
  template <typename T>
  static void output_adjoint(const T* y, T* m) {  // m = A y
    m[0] = y[0];
    m[1] = y[0] + y[1];
    m[2] = y[0] - y[1];
    m[3] = -y[1];
  }
  static void filter(const float* g, float* u) {  // u = G g
    u[0] = g[0];
    u[1] = 0.5f * (g[0] + g[1] + g[2]);
    u[2] = 0.5f * (g[0] - g[1] + g[2]);
    u[3] = g[2];
  }
  static void filter_adjoint(const float* u, float* g) {  // g = G^T u
    g[0] = u[0] + 0.5f * (u[1] + u[2]);
    g[1] = 0.5f * (u[1] - u[2]);
    g[2] = 0.5f * (u[1] + u[2]) + u[3];
  }
};

template <>
struct Transforms<4> {
  static constexpr int A = 6;
  template <typename T>
  static void input(const T* d, T* r) {
    const T a = d[4] - d[2], b = d[3] - d[1];  // shared terms
    r[0] = 4.0f * d[0] - 5.0f * d[2] + d[4];
    r[1] = d[4] + d[3] - 4.0f * (d[1] + d[2]);
    r[2] = d[4] - d[3] + 4.0f * (d[1] - d[2]);
    r[3] = a + 2.0f * b;
    r[4] = a - 2.0f * b;
    r[5] = 4.0f * d[1] - 5.0f * d[3] + d[5];
  }
  template <typename T>
  static void input_adjoint(const T* v, T* d) {
    d[0] = 4.0f * v[0];
    d[1] = 4.0f * (v[2] - v[1] + v[5]) + 2.0f * (v[4] - v[3]);
    d[2] = -5.0f * v[0] - 4.0f * (v[1] + v[2]) - v[3] - v[4];
    d[3] = v[1] - v[2] + 2.0f * (v[3] - v[4]) - 5.0f * v[5];
    d[4] = v[0] + v[1] + v[2] + v[3] + v[4];
    d[5] = v[5];
  }
  template <typename T>
  static void output(const T* m, T* y) {
    const T s12 = m[1] + m[2], d12 = m[1] - m[2], s34 = m[3] + m[4], d34 = m[3] - m[4];
    y[0] = m[0] + s12 + s34;
    y[1] = d12 + 2.0f * d34;
    y[2] = s12 + 4.0f * s34;
    y[3] = d12 + 8.0f * d34 + m[5];
  }
  template <typename T>
  static void output_adjoint(const T* y, T* m) {
    const T s02 = y[0] + y[2], s13 = y[1] + y[3];
    m[0] = y[0];
    m[1] = s02 + s13;
    m[2] = s02 - s13;
    m[3] = y[0] + 4.0f * y[2] + 2.0f * y[1] + 8.0f * y[3];
    m[4] = y[0] + 4.0f * y[2] - 2.0f * y[1] - 8.0f * y[3];
    m[5] = y[3];
  }
  static void filter(const float* g, float* u) {
    u[0] = g[0] / 4;
    u[1] = -(g[0] + g[1] + g[2]) / 6;
    u[2] = -(g[0] - g[1] + g[2]) / 6;
    u[3] = g[0] / 24 + g[1] / 12 + g[2] / 6;
    u[4] = g[0] / 24 - g[1] / 12 + g[2] / 6;
    u[5] = g[2];
  }
  static void filter_adjoint(const float* u, float* g) {
    g[0] = u[0] / 4 - (u[1] + u[2]) / 6 + (u[3] + u[4]) / 24;
    g[1] = (u[2] - u[1]) / 6 + (u[3] - u[4]) / 12;
    g[2] = -(u[1] + u[2]) / 6 + (u[3] + u[4]) / 6 + u[5];
  }
};

// out = T in T^T for a 1-D transform T from R points to S (one of the
// Transforms below, on floats or on four lanes): T applied down each column of
// in, then along each row of the result. load(i, j) reads in[i][j];
// store(i, j, v) takes out[i][j].
template <int R, int S, typename V, typename Transform, typename Load, typename Store>
inline void transform_2d(Transform t, Load load, Store store) {
  V mid[S][R];
  for (int j = 0; j < R; ++j) {
    V col[R], r[S];
    for (int i = 0; i < R; ++i) col[i] = load(i, j);
    t(col, r);
    for (int i = 0; i < S; ++i) mid[i][j] = r[i];
  }
  for (int i = 0; i < S; ++i) {
    V r[S];
    t(mid[i], r);
    for (int j = 0; j < S; ++j) store(i, j, r[j]);
  }
}

// U = G g G^T per filter and channel.
template <int M>
void filter_impl(const WinogradShape& s, const float* w, float* U) {
  using X = Transforms<M>;
  constexpr int A = X::A;
  const int C = s.C, F = s.F;
  for (int f = 0; f < F; ++f)
    for (int c = 0; c < C; ++c) {
      const float* g = w + (size_t(f) * C + c) * 9;
      transform_2d<3, A, float>(
          X::filter, [&](int i, int j) { return g[i * 3 + j]; },
          [&](int i, int j, float u) { U[(size_t(i * A + j) * C + c) * F + f] = u; });
    }
}

template <int M>
void filter_grad_impl(const WinogradShape& s, const float* dU, float* dw) {
  using X = Transforms<M>;
  constexpr int A = X::A;
  const int C = s.C, F = s.F;
  for (int f = 0; f < F; ++f)
    for (int c = 0; c < C; ++c) {
      float* g = dw + (size_t(f) * C + c) * 9;
      transform_2d<A, 3, float>(
          X::filter_adjoint, [&](int i, int j) { return dU[(size_t(i * A + j) * C + c) * F + f]; },
          [&](int i, int j, float v) { g[i * 3 + j] = v; });
    }
}

// V = B^T d B, four channels at a time, from the sample's padded planes
// transposed to (HP, WP, C).
template <int M>
void input_impl(const WinogradShape& s, const float* x, int n, float* V, float* scratch) {
  using X = Transforms<M>;
  constexpr int A = X::A;
  const int C = s.C, WP = s.WP, tiles = s.tiles();
  const size_t plane = size_t(n) * tiles * C;
  for (int si = 0; si < n; ++si) {
    std::fill(scratch, scratch + s.input_scratch(), 0.0f);
    to_channels_last(x + size_t(si) * C * s.H * s.W, C, s.H, s.W, scratch + (size_t(s.pad) * WP + s.pad) * C,
                     WP);
    for (int ty = 0; ty < s.TH; ++ty)
      for (int tx = 0; tx < s.TW; ++tx) {
        const float* patch = scratch + (size_t(M * ty) * WP + M * tx) * C;
        float* out = V + size_t(si * tiles + ty * s.TW + tx) * C;
        for (int c = 0; c < C; c += 4)
          transform_2d<A, A, v4>(
              X::template input<v4>,
              [&](int i, int j) { return load4(patch + (size_t(i) * WP + j) * C + c); },
              [&](int i, int j, v4 v) { store4(out + size_t(i * A + j) * plane + c, v); });
      }
  }
}

// Y = A^T M A, four filters at a time, into (m*TH, m*TW, F) scratch; the
// outputs past OH or OW are not copied out.
template <int M>
void output_impl(const WinogradShape& s, const float* Mt, int n, const float* bias, float* y,
                 float* scratch) {
  using X = Transforms<M>;
  constexpr int A = X::A;
  const int F = s.F, tiles = s.tiles(), WT = M * s.TW;
  const size_t plane = size_t(n) * tiles * F;
  for (int si = 0; si < n; ++si) {
    for (int ty = 0; ty < s.TH; ++ty)
      for (int tx = 0; tx < s.TW; ++tx) {
        const float* in = Mt + size_t(si * tiles + ty * s.TW + tx) * F;
        float* o = scratch + (size_t(M * ty) * WT + M * tx) * F;
        for (int f = 0; f < F; f += 4) {
          const v4 b = load4(bias + f);
          transform_2d<A, M, v4>(
              X::template output<v4>, [&](int i, int j) { return load4(in + size_t(i * A + j) * plane + f); },
              [&](int i, int j, v4 v) { store4(o + (size_t(i) * WT + j) * F + f, v + b); });
        }
      }
    from_channels_last(scratch, F, s.OH, s.OW, WT, y + size_t(si) * F * s.OH * s.OW);
  }
}

// dM = A dY A^T (the adjoint of output_impl).
template <int M>
void output_grad_impl(const WinogradShape& s, const float* dy, int n, float* dM, float* db, float* scratch) {
  using X = Transforms<M>;
  constexpr int A = X::A;
  const int F = s.F, OH = s.OH, OW = s.OW, tiles = s.tiles(), WT = M * s.TW;
  const size_t plane = size_t(n) * tiles * F, P = size_t(OH) * OW;
  for (int si = 0; si < n; ++si) {
    const float* dys = dy + size_t(si) * F * P;
    for (int f = 0; f < F; ++f) {
      const float* g = dys + size_t(f) * P;
      v4 acc = {};
      size_t i = 0;
      for (; i + 4 <= P; i += 4) acc += load4(g + i);
      float sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
      for (; i < P; ++i) sum += g[i];
      db[f] += sum;
    }
    // dy on (m*TH, m*TW, F); the overhang of the last tiles stays zero.
    std::fill(scratch, scratch + s.output_scratch(), 0.0f);
    to_channels_last(dys, F, OH, OW, scratch, WT);
    for (int ty = 0; ty < s.TH; ++ty)
      for (int tx = 0; tx < s.TW; ++tx) {
        const float* g = scratch + (size_t(M * ty) * WT + M * tx) * F;
        float* out = dM + size_t(si * tiles + ty * s.TW + tx) * F;
        for (int f = 0; f < F; f += 4)
          transform_2d<M, A, v4>(
              X::template output_adjoint<v4>,
              [&](int i, int j) { return load4(g + (size_t(i) * WT + j) * F + f); },
              [&](int i, int j, v4 v) { store4(out + size_t(i * A + j) * plane + f, v); });
      }
  }
}

// dd = B dV B^T (the adjoint of input_impl); the overlapping patches are summed
// in (HP, WP, C) scratch and the interior copied out to dx.
template <int M>
void input_grad_impl(const WinogradShape& s, const float* dV, int n, float* dx, float* scratch) {
  using X = Transforms<M>;
  constexpr int A = X::A;
  const int C = s.C, WP = s.WP, tiles = s.tiles();
  const size_t plane = size_t(n) * tiles * C;
  for (int si = 0; si < n; ++si) {
    std::fill(scratch, scratch + s.input_scratch(), 0.0f);
    for (int ty = 0; ty < s.TH; ++ty)
      for (int tx = 0; tx < s.TW; ++tx) {
        float* patch = scratch + (size_t(M * ty) * WP + M * tx) * C;
        const float* in = dV + size_t(si * tiles + ty * s.TW + tx) * C;
        for (int c = 0; c < C; c += 4)
          transform_2d<A, A, v4>(
              X::template input_adjoint<v4>,
              [&](int i, int j) { return load4(in + size_t(i * A + j) * plane + c); },
              [&](int i, int j, v4 v) {
                float* o = patch + (size_t(i) * WP + j) * C + c;
                store4(o, load4(o) + v);
              });
      }
    from_channels_last(scratch + (size_t(s.pad) * WP + s.pad) * C, C, s.H, s.W, WP,
                       dx + size_t(si) * C * s.H * s.W);
  }
}

}  // namespace

void winograd_filter(const WinogradShape& s, const float* w, float* U) {
  s.m == 2 ? filter_impl<2>(s, w, U) : filter_impl<4>(s, w, U);
}
void winograd_filter_grad(const WinogradShape& s, const float* dU, float* dw) {
  s.m == 2 ? filter_grad_impl<2>(s, dU, dw) : filter_grad_impl<4>(s, dU, dw);
}
void winograd_input(const WinogradShape& s, const float* x, int n, float* V, float* scratch) {
  s.m == 2 ? input_impl<2>(s, x, n, V, scratch) : input_impl<4>(s, x, n, V, scratch);
}
void winograd_output(const WinogradShape& s, const float* M, int n, const float* bias, float* y,
                     float* scratch) {
  s.m == 2 ? output_impl<2>(s, M, n, bias, y, scratch) : output_impl<4>(s, M, n, bias, y, scratch);
}
void winograd_output_grad(const WinogradShape& s, const float* dy, int n, float* dM, float* db,
                          float* scratch) {
  s.m == 2 ? output_grad_impl<2>(s, dy, n, dM, db, scratch) : output_grad_impl<4>(s, dy, n, dM, db, scratch);
}
void winograd_input_grad(const WinogradShape& s, const float* dV, int n, float* dx, float* scratch) {
  s.m == 2 ? input_grad_impl<2>(s, dV, n, dx, scratch) : input_grad_impl<4>(s, dV, n, dx, scratch);
}

}  // namespace mnist
