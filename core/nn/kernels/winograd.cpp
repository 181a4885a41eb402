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
        v4 a = load4(s0 + x), b = load4(s0 + plane + x), e = load4(s0 + 2 * plane + x), g = load4(s0 + 3 * plane + x);
        transpose4(a, b, e, g);
        store4(d + size_t(x) * ch, a);
        store4(d + size_t(x + 1) * ch, b);
        store4(d + size_t(x + 2) * ch, e);
        store4(d + size_t(x + 3) * ch, g);
      }
      for (; x < cols; ++x) store4(d + size_t(x) * ch, v4{s0[x], s0[plane + x], s0[2 * plane + x], s0[3 * plane + x]});
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
        v4 a = load4(s0 + size_t(x) * ch), b = load4(s0 + size_t(x + 1) * ch), e = load4(s0 + size_t(x + 2) * ch),
           g = load4(s0 + size_t(x + 3) * ch);
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

WinogradShape::WinogradShape(int channels, int filters, int height, int width, int padding)
    : C(channels), F(filters), H(height), W(width), pad(padding) {
  check(C % 4 == 0 && F % 4 == 0, "winograd: channels and filters must be multiples of 4, got ", C, " and ", F);
  OH = H + 2 * pad - 2;
  OW = W + 2 * pad - 2;
  check(OH >= 1 && OW >= 1, "winograd: a ", H, "x", W, " input is smaller than the 3x3 kernel");
  TH = (OH + 1) / 2;
  TW = (OW + 1) / 2;
  HP = 2 * TH + 2;
  WP = 2 * TW + 2;
}

// U = G g G^T with G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1].
void winograd_filter(const WinogradShape& s, const float* w, float* U) {
  const int C = s.C, F = s.F;
  for (int f = 0; f < F; ++f)
    for (int c = 0; c < C; ++c) {
      const float* g = w + (size_t(f) * C + c) * 9;
      float t[4][3];  // G g
      for (int k = 0; k < 3; ++k) {
        t[0][k] = g[k];
        t[1][k] = 0.5f * (g[k] + g[3 + k] + g[6 + k]);
        t[2][k] = 0.5f * (g[k] - g[3 + k] + g[6 + k]);
        t[3][k] = g[6 + k];
      }
      for (int i = 0; i < 4; ++i) {
        const float u[4] = {t[i][0], 0.5f * (t[i][0] + t[i][1] + t[i][2]), 0.5f * (t[i][0] - t[i][1] + t[i][2]),
                            t[i][2]};
        for (int j = 0; j < 4; ++j) U[(size_t(i * 4 + j) * C + c) * F + f] = u[j];
      }
    }
}

// dg = G^T dU G: column k of G is (1, 1/2, 1/2, 0), (0, 1/2, -1/2, 0), (0, 1/2, 1/2, 1).
void winograd_filter_grad(const WinogradShape& s, const float* dU, float* dw) {
  const int C = s.C, F = s.F;
  for (int f = 0; f < F; ++f)
    for (int c = 0; c < C; ++c) {
      float u[4][4];
      for (int xi = 0; xi < 16; ++xi) u[xi / 4][xi % 4] = dU[(size_t(xi) * C + c) * F + f];
      float t[3][4];  // G^T dU
      for (int j = 0; j < 4; ++j) {
        t[0][j] = u[0][j] + 0.5f * (u[1][j] + u[2][j]);
        t[1][j] = 0.5f * (u[1][j] - u[2][j]);
        t[2][j] = 0.5f * (u[1][j] + u[2][j]) + u[3][j];
      }
      float* g = dw + (size_t(f) * C + c) * 9;
      for (int k = 0; k < 3; ++k) {
        g[k * 3 + 0] = t[k][0] + 0.5f * (t[k][1] + t[k][2]);
        g[k * 3 + 1] = 0.5f * (t[k][1] - t[k][2]);
        g[k * 3 + 2] = 0.5f * (t[k][1] + t[k][2]) + t[k][3];
      }
    }
}

// V = B^T d B with B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], four channels
// at a time, from the sample's padded planes transposed to (HP, WP, C).
void winograd_input(const WinogradShape& s, const float* x, int n, float* V, float* scratch) {
  const int C = s.C, WP = s.WP, tiles = s.tiles();
  const size_t plane = size_t(n) * tiles * C;
  for (int si = 0; si < n; ++si) {
    std::fill(scratch, scratch + s.input_scratch(), 0.0f);
    to_channels_last(x + size_t(si) * C * s.H * s.W, C, s.H, s.W, scratch + (size_t(s.pad) * WP + s.pad) * C, WP);
    for (int ty = 0; ty < s.TH; ++ty)
      for (int tx = 0; tx < s.TW; ++tx) {
        const float* patch = scratch + (size_t(2 * ty) * WP + 2 * tx) * C;
        float* out = V + size_t(si * tiles + ty * s.TW + tx) * C;
        for (int c = 0; c < C; c += 4) {
          v4 d[4][4];
          for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 4; ++j) d[i][j] = load4(patch + (size_t(i) * WP + j) * C + c);
          v4 r[4][4];  // B^T d
          for (int j = 0; j < 4; ++j) {
            r[0][j] = d[0][j] - d[2][j];
            r[1][j] = d[1][j] + d[2][j];
            r[2][j] = d[2][j] - d[1][j];
            r[3][j] = d[1][j] - d[3][j];
          }
          for (int i = 0; i < 4; ++i) {
            float* o = out + size_t(i * 4) * plane + c;
            store4(o, r[i][0] - r[i][2]);
            store4(o + plane, r[i][1] + r[i][2]);
            store4(o + 2 * plane, r[i][2] - r[i][1]);
            store4(o + 3 * plane, r[i][1] - r[i][3]);
          }
        }
      }
  }
}

// Y = A^T M A with A^T = [1 1 1 0; 0 1 -1 -1], four filters at a time, into
// (2*TH, 2*TW, F) scratch; the outputs past OH or OW are not copied out.
void winograd_output(const WinogradShape& s, const float* M, int n, const float* bias, float* y, float* scratch) {
  const int F = s.F, tiles = s.tiles(), WT = 2 * s.TW;
  const size_t plane = size_t(n) * tiles * F;
  for (int si = 0; si < n; ++si) {
    for (int ty = 0; ty < s.TH; ++ty)
      for (int tx = 0; tx < s.TW; ++tx) {
        const float* in = M + size_t(si * tiles + ty * s.TW + tx) * F;
        float* o = scratch + (size_t(2 * ty) * WT + 2 * tx) * F;
        for (int f = 0; f < F; f += 4) {
          v4 q[2][4];  // A^T M
          for (int j = 0; j < 4; ++j) {
            const v4 m0 = load4(in + size_t(j) * plane + f), m1 = load4(in + size_t(4 + j) * plane + f);
            const v4 m2 = load4(in + size_t(8 + j) * plane + f), m3 = load4(in + size_t(12 + j) * plane + f);
            q[0][j] = m0 + m1 + m2;
            q[1][j] = m1 - m2 - m3;
          }
          const v4 b = load4(bias + f);
          for (int i = 0; i < 2; ++i) {
            store4(o + size_t(i) * WT * F + f, q[i][0] + q[i][1] + q[i][2] + b);
            store4(o + (size_t(i) * WT + 1) * F + f, q[i][1] - q[i][2] - q[i][3] + b);
          }
        }
      }
    from_channels_last(scratch, F, s.OH, s.OW, WT, y + size_t(si) * F * s.OH * s.OW);
  }
}

// dM = A dY A^T (the adjoint of winograd_output): rows (dY0, dY0 + dY1,
// dY0 - dY1, -dY1), then the same along columns.
void winograd_output_grad(const WinogradShape& s, const float* dy, int n, float* dM, float* db, float* scratch) {
  const int F = s.F, OH = s.OH, OW = s.OW, tiles = s.tiles(), WT = 2 * s.TW;
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
    // dy on (2*TH, 2*TW, F); the overhang of the last tiles stays zero.
    std::fill(scratch, scratch + s.output_scratch(), 0.0f);
    to_channels_last(dys, F, OH, OW, scratch, WT);
    for (int ty = 0; ty < s.TH; ++ty)
      for (int tx = 0; tx < s.TW; ++tx) {
        const float* g = scratch + (size_t(2 * ty) * WT + 2 * tx) * F;
        float* out = dM + size_t(si * tiles + ty * s.TW + tx) * F;
        for (int f = 0; f < F; f += 4) {
          const v4 y00 = load4(g + f), y01 = load4(g + F + f);
          const v4 y10 = load4(g + size_t(WT) * F + f), y11 = load4(g + size_t(WT + 1) * F + f);
          const v4 r[4][2] = {{y00, y01}, {y00 + y10, y01 + y11}, {y00 - y10, y01 - y11}, {-y10, -y11}};
          for (int i = 0; i < 4; ++i) {
            float* o = out + size_t(i * 4) * plane + f;
            store4(o, r[i][0]);
            store4(o + plane, r[i][0] + r[i][1]);
            store4(o + 2 * plane, r[i][0] - r[i][1]);
            store4(o + 3 * plane, -r[i][1]);
          }
        }
      }
  }
}

// dd = B dV B^T (the adjoint of winograd_input): rows (v0, v1 - v2 + v3,
// -v0 + v1 + v2, -v3), then the same along columns; the overlapping 4x4 patches
// are summed in (HP, WP, C) scratch and the interior copied out to dx.
void winograd_input_grad(const WinogradShape& s, const float* dV, int n, float* dx, float* scratch) {
  const int C = s.C, WP = s.WP, tiles = s.tiles();
  const size_t plane = size_t(n) * tiles * C;
  for (int si = 0; si < n; ++si) {
    std::fill(scratch, scratch + s.input_scratch(), 0.0f);
    for (int ty = 0; ty < s.TH; ++ty)
      for (int tx = 0; tx < s.TW; ++tx) {
        float* patch = scratch + (size_t(2 * ty) * WP + 2 * tx) * C;
        const float* in = dV + size_t(si * tiles + ty * s.TW + tx) * C;
        for (int c = 0; c < C; c += 4) {
          v4 e[4][4];  // B dV
          for (int j = 0; j < 4; ++j) {
            const v4 v0 = load4(in + size_t(j) * plane + c), v1 = load4(in + size_t(4 + j) * plane + c);
            const v4 v2 = load4(in + size_t(8 + j) * plane + c), v3 = load4(in + size_t(12 + j) * plane + c);
            e[0][j] = v0;
            e[1][j] = v1 - v2 + v3;
            e[2][j] = v1 + v2 - v0;
            e[3][j] = -v3;
          }
          for (int i = 0; i < 4; ++i) {
            float* o = patch + size_t(i) * WP * C + c;
            store4(o, load4(o) + e[i][0]);
            store4(o + C, load4(o + C) + e[i][1] - e[i][2] + e[i][3]);
            store4(o + 2 * C, load4(o + 2 * C) + e[i][1] + e[i][2] - e[i][0]);
            store4(o + 3 * C, load4(o + 3 * C) - e[i][3]);
          }
        }
      }
    from_channels_last(scratch + (size_t(s.pad) * WP + s.pad) * C, C, s.H, s.W, WP, dx + size_t(si) * C * s.H * s.W);
  }
}

}  // namespace mnist
