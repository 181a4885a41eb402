#pragma once
// Winograd's minimal filtering F(m x m, 3x3), m = 2 or 4, for a stride-1 3x3
// convolution (Lavin & Gray, "Fast Algorithms for Convolutional Neural
// Networks", 2015).
//
// The output is cut into m x m tiles; each reads an A x A patch of the padded
// input, A = m + 2. With the transforms in winograd.cpp, a tile of one filter
// over one channel is
//   Y (m x m) = A^T [ (G g G^T) .* (B^T d B) ] A
// so the 9 m^2 multiplies of the direct product become A^2 element-wise ones
// (F(2,3): 16 for 36; F(4,3): 36 for 144). Summed over channels, each of the
// A^2 positions xi of the transform is a matrix product over the batch's tiles:
//   M[xi] (T, F) = V[xi] (T, C) * U[xi] (C, F)
// The backward pass is the exact adjoint of that forward pass:
//   dM = A dY A^T;   dU[xi] = V[xi]^T dM[xi];   dg = G^T dU G
//   dV[xi] = dM[xi] U[xi]^T;   dd = B dV B^T, added tile by tile into dx
// (neighbouring patches overlap by two rows and two columns).
//
// Layouts: x, y, dy and dx are the layers' (n, C, H, W) planes. Transformed
// tensors keep the channel innermost, so each transform works on four channels
// (or filters) per f32x4 with contiguous loads and stores:
//   U, dU  (A^2, C, F)        V, dV  (A^2, T, C)        M, dM  (A^2, T, F)
// where row t of a (T, .) plane is sample s's tile (ty, tx) at
// t = s * tiles + ty * TW + tx, and T = n * tiles for the n samples passed.
// (Each tile's positions side by side instead made the transforms' stores
// local but the GEMMs' rows 4 KB apart, and the GEMMs 1.5-2x slower.)
// C and F must be multiples of 4. Scratch: per-sample planes with the channels
// innermost, from and to which x, y, dy and dx are transposed 4x4 in registers.
namespace mnist {

struct WinogradShape {
  WinogradShape(int channels, int filters, int height, int width, int padding, int tile);
  int C, F, H, W, pad;
  int m;       // output tile: m x m
  int OH, OW;  // output plane
  int TH, TW;  // tiles covering it (the last row/column may hang over)
  int HP, WP;  // the padded input plane the tiles read: m*TH+2 by m*TW+2
  int alpha() const { return m + 2; }
  int positions() const { return alpha() * alpha(); }
  int tiles() const { return TH * TW; }
  // Floats of scratch the input and input-gradient transforms (HP, WP, C) and
  // the output and output-gradient transforms (m*TH, m*TW, F) need.
  int input_scratch() const { return HP * WP * C; }
  int output_scratch() const { return m * TH * m * TW * F; }
};

// w: (F, C, 3, 3) -> U (A^2, C, F)
void winograd_filter(const WinogradShape& s, const float* w, float* U);
// dU (A^2, C, F) -> dw (F, C, 3, 3), overwritten
void winograd_filter_grad(const WinogradShape& s, const float* dU, float* dw);
// n samples of x (n, C, H, W) -> V (A^2, n * tiles, C)
void winograd_input(const WinogradShape& s, const float* x, int n, float* V, float* scratch);
// M (A^2, n * tiles, F) -> n samples of y (n, F, OH, OW), plus bias (F)
void winograd_output(const WinogradShape& s, const float* M, int n, const float* bias, float* y,
                     float* scratch);
// n samples of dy (n, F, OH, OW) -> dM (A^2, n * tiles, F); db (F) += the sum of dy
void winograd_output_grad(const WinogradShape& s, const float* dy, int n, float* dM, float* db,
                          float* scratch);
// dV (A^2, n * tiles, C) -> n samples of dx (n, C, H, W), overwritten
void winograd_input_grad(const WinogradShape& s, const float* dV, int n, float* dx, float* scratch);

}  // namespace mnist
