#pragma once
// Winograd's minimal filtering F(2x2, 3x3) for a stride-1 3x3 convolution
// (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2015).
//
// The output is cut into 2x2 tiles; each reads a 4x4 patch of the padded input.
// With the transforms below, a tile of one filter over one channel is
//   Y (2x2) = A^T [ (G g G^T) .* (B^T d B) ] A
// so the 36 multiplies of the direct 2x2-by-3x3 product become 16 element-wise
// ones. Summed over channels, each of the 16 positions xi of the 4x4 transform
// is a matrix product over the batch's tiles:
//   M[xi] (T, F) = V[xi] (T, C) * U[xi] (C, F)
// 16 GEMMs whose multiply-adds are 16/36 of im2col's. The backward pass is the
// exact adjoint of that forward pass:
//   dM = A dY A^T;   dU[xi] = V[xi]^T dM[xi];   dg = G^T dU G
//   dV[xi] = dM[xi] U[xi]^T;   dd = B dV B^T, added tile by tile into dx
// (4x4 patches overlap by two rows and two columns).
//
// Layouts: x, y, dy and dx are the layers' (n, C, H, W) planes. Transformed
// tensors keep the channel innermost, so each transform works on four channels
// (or filters) per f32x4 with contiguous loads and stores:
//   U, dU  (16, C, F)        V, dV  (16, T, C)        M, dM  (16, T, F)
// where row t of a (T, .) plane is sample s's tile (ty, tx) at
// t = s * tiles + ty * TW + tx, and T = n * tiles for the n samples passed.
// (Each tile's 16 positions side by side instead made the transforms' stores
// local but the GEMMs' rows 4 KB apart, and the GEMMs 1.5-2x slower.)
// C and F must be multiples of 4. Scratch: per-sample planes with the channels
// innermost, from and to which x, y, dy and dx are transposed 4x4 in registers.
namespace mnist {

struct WinogradShape {
  WinogradShape(int channels, int filters, int height, int width, int padding);
  int C, F, H, W, pad;
  int OH, OW;  // output plane
  int TH, TW;  // 2x2 tiles covering it (the last row/column may hang over)
  int HP, WP;  // the padded input plane the tiles read: 2*TH+2 by 2*TW+2
  int tiles() const { return TH * TW; }
  // Floats of scratch the input and input-gradient transforms (HP, WP, C) and
  // the output and output-gradient transforms (2*TH, 2*TW, F) need.
  int input_scratch() const { return HP * WP * C; }
  int output_scratch() const { return 2 * TH * 2 * TW * F; }
};

// w: (F, C, 3, 3) -> U (16, C, F)
void winograd_filter(const WinogradShape& s, const float* w, float* U);
// dU (16, C, F) -> dw (F, C, 3, 3), overwritten
void winograd_filter_grad(const WinogradShape& s, const float* dU, float* dw);
// n samples of x (n, C, H, W) -> V (16, T, C)
void winograd_input(const WinogradShape& s, const float* x, int n, float* V, float* scratch);
// M (16, T, F) -> n samples of y (n, F, OH, OW), plus bias (F)
void winograd_output(const WinogradShape& s, const float* M, int n, const float* bias, float* y, float* scratch);
// n samples of dy (n, F, OH, OW) -> dM (16, T, F); db (F) += the sum of dy
void winograd_output_grad(const WinogradShape& s, const float* dy, int n, float* dM, float* db,
                          float* scratch);
// dV (16, T, C) -> n samples of dx (n, C, H, W), overwritten
void winograd_input_grad(const WinogradShape& s, const float* dV, int n, float* dx, float* scratch);

}  // namespace mnist
