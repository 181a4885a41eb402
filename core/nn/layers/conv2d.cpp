#include "nn/layers/conv2d.h"

#include <algorithm>
#include <cmath>

#include "nn/kernels/gemm.h"
#include "nn/kernels/madd.h"
#include "nn/util/check.h"
#include "nn/util/parallel.h"
#include "nn/util/text.h"

namespace mnist {

// Layers with at most this many taps per output (C*K*K) take the direct path.
constexpr int kDirectTaps = 32;
// 3x3 layers on at least this many channels take the Winograd path (fewer make
// its GEMMs too thin to pay for the transforms).
constexpr int kWinogradChannels = 16;
// The Winograd path keeps V, the transformed input tiles, for the whole batch
// (or the largest chunk of it that the column budget allows) for the weight
// gradient, but makes the products M and the gradients dM and dV this many
// samples at a time, so that they stay in the L2 cache between the GEMMs and
// the transforms (on cnn's second layer a batch of 64 makes 9.4 MB of M with
// F(2x2,3x3), 5.3 MB with F(4x4,3x3); writing it to memory and reading it
// back took longer than the GEMMs).
constexpr int kWinogradBlock = 8;
// Predictions of at most this many samples on a Winograd layer take im2col +
// GEMM instead: transforming the filters costs a fixed ~0.2 ms per call in
// wasm, which a training batch shares out but a drawing-pad prediction does
// not (cnn's second layer, one sample: 0.46 ms Winograd, 0.22 ms im2col).
constexpr int kWinogradMinPredict = 2;

std::unique_ptr<Layer> Conv2d::make(const Token& t) {
  t.expect_args(2, 3, "conv(F,K) or conv(F,K,same)");
  const int f = int(t.whole(0, "filters", 1, kMaxFilters));
  const int k = int(t.whole(1, "kernel", 1, kImageSide));
  const std::string written = t.args.size() == 3 ? t.args[2] : "valid", padding = lower(written);
  check(padding == "same" || padding == "valid", "bad token '", t.text, "': padding '", printable(written),
        "' is not 'same' or 'valid'");
  return std::make_unique<Conv2d>(f, k, padding == "same");
}

void Conv2d::add_attributes(LayerAttributes& a) const {
  a.filters = f_;
  a.kernel = k_;
  a.stride = 1;
  a.padding = same_ ? "same" : "valid";
}

std::string Conv2d::token() const {
  return "conv(" + std::to_string(f_) + "," + std::to_string(k_) + (same_ ? ",same)" : ")");
}

Shape Conv2d::configure(const Shape& in) {
  check(f_ >= 1, token(), ": needs at least one filter");
  check(k_ >= 1, token(), ": the kernel must be at least 1");
  require_image(*this, in);
  check(!same_ || k_ % 2 == 1, token(), ": same padding needs an odd kernel size");
  in_ = in;
  const int p = pad();
  const int oh = in.h + 2 * p - k_ + 1, ow = in.w + 2 * p - k_ + 1;
  check(oh >= 1 && ow >= 1, token(), ": the kernel is larger than its ", in.str(), " input");
  out_ = image_shape(f_, oh, ow);
  direct_ = path_ == Path::direct || (path_ == Path::automatic && in.c * k_ * k_ <= kDirectTaps);
  const bool winograd_fits = k_ == 3 && in.c % 4 == 0 && f_ % 4 == 0;
  check(path_ != Path::winograd || winograd_fits, token(),
        ": the Winograd path needs a 3x3 kernel and channels and filters in multiples of 4, got ", in.c,
        " channels and ", f_, " filters");
  wino_.reset();
  if (path_ == Path::winograd ||
      (path_ == Path::automatic && !direct_ && winograd_fits && in.c >= kWinogradChannels))
    wino_.emplace(in.c, f_, in.h, in.w, p, winograd_tile_);
  hp_ = in.h + 2 * p;
  wp_ = in.w + 2 * p;
  f4_ = (f_ + 3) / 4 * 4;
  wide_len_ = (oh * wp_ + 7) / 8 * 8;
  off_.clear();
  for (int c = 0; c < in.c; ++c)
    for (int ky = 0; ky < k_; ++ky)
      for (int kx = 0; kx < k_; ++kx) off_.push_back((c * hp_ + ky) * wp_ + kx);
  return out_;
}

void Conv2d::init(Rng& rng) {
  const int fan_in = in_.c * k_ * k_;
  const float std = std::sqrt(2.0f / fan_in);  // He: conv layers feed ReLU
  const size_t nw = size_t(f_) * fan_in;
  for (size_t i = 0; i < nw; ++i) w_[i] = std * rng.normal();
  for (int i = 0; i < f_; ++i) w_[nw + i] = 0.0f;
}

int Conv2d::chunk_samples() const {
  const size_t per_sample = size_t(in_.c) * k_ * k_ * out_.h * out_.w;
  return int(std::max<size_t>(1, col_budget_ / per_sample));
}

void Conv2d::reserve(int max_batch) {
  const size_t P = size_t(out_.h) * out_.w, rows = size_t(in_.c) * k_ * k_;
  if (direct_) {
    // Zeros outside each plane's interior stay zero: the padding, and the slack
    // that the last output vectors read past the plane (they only feed the
    // discarded columns ox >= OW).
    xp_.assign(size_t(in_.c) * hp_ * wp_ + wide_len_ - size_t(out_.h) * wp_ + k_ + 8, 0.0f);
    wide_.assign(size_t(f4_) * wide_len_, 0.0f);
    dyw_.assign(size_t(f4_) * wide_len_, 0.0f);
    wsp_.resize(size_t(rows) * f4_ * 4);
    dcol_.resize(rows * P);  // input gradient, one sample at a time
    return;
  }
  if (wino_) {
    const size_t T = size_t(std::min(max_batch, winograd_chunk())) * wino_->tiles();
    const size_t X = wino_->positions();
    wu_.resize(X * in_.c * f_);
    wdu_.resize(wu_.size());
    const size_t TB = size_t(std::min(max_batch, kWinogradBlock)) * wino_->tiles();
    wv_.resize(X * T * in_.c);
    wm_.resize(X * TB * f_);
    wdv_.resize(X * TB * in_.c);
    wscratch_.resize(std::max(wino_->input_scratch(), wino_->output_scratch()));
  }
  const int cn = std::min({max_batch, chunk_samples(), wino_ ? kWinogradMinPredict : max_batch});
  col_.resize(rows * cn * P);
  dcol_.resize(rows * cn * P);
  yt_.resize(size_t(f_) * cn * P);
}

// The sizes reserve() gives its buffers, added up (test_allocation checks the sum
// against what reserve really allocates).
size_t Conv2d::scratch_floats(int max_batch) const {
  const size_t P = size_t(out_.h) * out_.w, rows = size_t(in_.c) * k_ * k_;
  if (direct_)
    return size_t(in_.c) * hp_ * wp_ + wide_len_ - size_t(out_.h) * wp_ + k_ + 8 +
           2 * size_t(f4_) * wide_len_ + rows * f4_ * 4 + rows * P;
  size_t floats = 0;
  if (wino_) {
    const size_t T = size_t(std::min(max_batch, winograd_chunk())) * wino_->tiles();
    const size_t TB = size_t(std::min(max_batch, kWinogradBlock)) * wino_->tiles();
    floats += size_t(wino_->positions()) * (2 * size_t(in_.c) * f_ + T * in_.c + TB * f_ + TB * in_.c) +
              size_t(std::max(wino_->input_scratch(), wino_->output_scratch()));
  }
  const size_t cn = size_t(std::min({max_batch, chunk_samples(), wino_ ? kWinogradMinPredict : max_batch}));
  return floats + (2 * rows + f_) * cn * P;
}

// The direct path. Each padded input plane is read as one flat array of row
// stride WP; computing outputs on that same stride (OW valid columns, then
// K-1 discarded ones) makes every tap a constant offset, off = (c*HP + ky)*WP +
// kx, and a convolution a sum of shifted vector loads:
//   wide[f][i] = sum over taps t of w[f][t] * xp[i + off_t],  i = oy*WP + ox.
// Four filters by eight outputs (8 accumulators) per inner loop, as in the
// GEMM microkernel; the weights are broadcast once per call into wsp_.

void Conv2d::pad_sample(const float* x) {
  const int C = in_.c, H = in_.h, W = in_.w, p = pad();
  for (int c = 0; c < C; ++c)
    for (int y = 0; y < H; ++y)
      std::copy(x + (size_t(c) * H + y) * W, x + (size_t(c) * H + y + 1) * W,
                xp_.data() + (size_t(c) * hp_ + y + p) * wp_ + p);
}

namespace {
typedef f32x4 v4;
typedef float v4u __attribute__((vector_size(16), aligned(4)));
inline v4 load4(const float* p) { return *reinterpret_cast<const v4u*>(p); }
inline float hsum(v4 v) { return (v[0] + v[1]) + (v[2] + v[3]); }
inline void store4(float* p, v4 v) { *reinterpret_cast<v4u*>(p) = v; }

// dst[0, n) = src[0, n) and dst[0, n) += src[0, n) on rows of a few floats
// (a 5x5 layer's output rows are 8 long): explicit 4-wide steps, where the
// compiler's own vectorisation would first test the rows for overlap.
inline void copy_row(const float* src, float* dst, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) store4(dst + i, load4(src + i));
  for (; i < n; ++i) dst[i] = src[i];
}
inline void add_row(const float* src, float* dst, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) store4(dst + i, load4(dst + i) + load4(src + i));
  for (; i < n; ++i) dst[i] += src[i];
}
}  // namespace

void Conv2d::forward_direct(const float* x, float* y, int n) {
  const int rows = in_.c * k_ * k_, P = out_.h * out_.w, L = wide_len_;
  const float* b = w_ + size_t(f_) * rows;
  for (int t = 0; t < rows; ++t)
    for (int f = 0; f < f4_; ++f) {
      const float w = f < f_ ? w_[size_t(f) * rows + t] : 0.0f;
      for (int l = 0; l < 4; ++l) wsp_[(size_t(t) * f4_ + f) * 4 + l] = w;
    }
  for (int s = 0; s < n; ++s) {
    pad_sample(x + s * in_.size());
    const float* xp = xp_.data();
    for (int f0 = 0; f0 < f4_; f0 += 4) {
      for (int i = 0; i < L; i += 8) {
        v4 a00 = {}, a01 = {}, a10 = {}, a11 = {}, a20 = {}, a21 = {}, a30 = {}, a31 = {};
        for (int t = 0; t < rows; ++t) {
          const float* xi = xp + i + off_[t];
          const v4 x0 = load4(xi), x1 = load4(xi + 4);
          const v4* w = reinterpret_cast<const v4*>(wsp_.data() + (size_t(t) * f4_ + f0) * 4);
          a00 = madd(a00, w[0], x0);
          a01 = madd(a01, w[0], x1);
          a10 = madd(a10, w[1], x0);
          a11 = madd(a11, w[1], x1);
          a20 = madd(a20, w[2], x0);
          a21 = madd(a21, w[2], x1);
          a30 = madd(a30, w[3], x0);
          a31 = madd(a31, w[3], x1);
        }
        float* o = wide_.data() + size_t(f0) * L + i;
        *reinterpret_cast<v4u*>(o) = a00;
        *reinterpret_cast<v4u*>(o + 4) = a01;
        *reinterpret_cast<v4u*>(o + L) = a10;
        *reinterpret_cast<v4u*>(o + L + 4) = a11;
        *reinterpret_cast<v4u*>(o + 2 * L) = a20;
        *reinterpret_cast<v4u*>(o + 2 * L + 4) = a21;
        *reinterpret_cast<v4u*>(o + 3 * L) = a30;
        *reinterpret_cast<v4u*>(o + 3 * L + 4) = a31;
      }
    }
    float* ys = y + s * out_.size();
    for (int f = 0; f < f_; ++f)
      for (int oy = 0; oy < out_.h; ++oy) {
        const float* src = wide_.data() + size_t(f) * L + size_t(oy) * wp_;
        float* dst = ys + size_t(f) * P + size_t(oy) * out_.w;
        for (int ox = 0; ox < out_.w; ++ox) dst[ox] = src[ox] + b[f];
      }
  }
}

// dW[f][t] = sum over i of dyw[f][i] * xp[i + off_t], with dy spread onto the
// padded width in dyw_ (its discarded columns and padding rows stay zero, so
// they add nothing): two taps by four filters per pass over i. The input gradient, when a layer below
// needs it, goes through dcol = W^T * dy and col2im one sample at a time.
void Conv2d::backward_direct(const float* x, const float* dy, float* dx, int n) {
  const int rows = in_.c * k_ * k_, P = out_.h * out_.w, L = wide_len_;
  float* db = dw_ + size_t(f_) * rows;
  std::fill(dw_, dw_ + size_t(f_) * rows + f_, 0.0f);
  for (int s = 0; s < n; ++s) {
    pad_sample(x + s * in_.size());
    const float* dys = dy + s * out_.size();
    for (int f = 0; f < f_; ++f) {
      float acc = 0.0f;
      for (int oy = 0; oy < out_.h; ++oy) {
        const float* src = dys + size_t(f) * P + size_t(oy) * out_.w;
        float* dst = dyw_.data() + size_t(f) * L + size_t(oy) * wp_;
        for (int ox = 0; ox < out_.w; ++ox) {
          dst[ox] = src[ox];
          acc += src[ox];
        }
      }
      db[f] += acc;
    }
    const float* xp = xp_.data();
    for (int f0 = 0; f0 < f4_; f0 += 4) {
      const float* d = dyw_.data() + size_t(f0) * L;
      for (int t = 0; t < rows; t += 2) {
        const int t1 = std::min(t + 1, rows - 1);  // an odd last tap is done twice, kept once
        const float* x0p = xp + off_[t];
        const float* x1p = xp + off_[t1];
        v4 a00 = {}, a01 = {}, a10 = {}, a11 = {}, a20 = {}, a21 = {}, a30 = {}, a31 = {};
        for (int i = 0; i < L; i += 4) {
          const v4 x0 = load4(x0p + i), x1 = load4(x1p + i);
          const v4 d0 = load4(d + i), d1 = load4(d + L + i), d2 = load4(d + 2 * L + i),
                   d3 = load4(d + 3 * L + i);
          a00 = madd(a00, d0, x0);
          a01 = madd(a01, d0, x1);
          a10 = madd(a10, d1, x0);
          a11 = madd(a11, d1, x1);
          a20 = madd(a20, d2, x0);
          a21 = madd(a21, d2, x1);
          a30 = madd(a30, d3, x0);
          a31 = madd(a31, d3, x1);
        }
        const v4 acc[4][2] = {{a00, a01}, {a10, a11}, {a20, a21}, {a30, a31}};
        for (int j = 0; j < 4 && f0 + j < f_; ++j) {
          float* g = dw_ + size_t(f0 + j) * rows;
          g[t] += hsum(acc[j][0]);
          if (t1 != t) g[t1] += hsum(acc[j][1]);
        }
      }
    }
    if (dx) {
      gemm(true, false, rows, P, f_, w_, rows, dys, P, dcol_.data(), P, false);
      col2im(dx + s * in_.size(), 1);
    }
  }
}

void Conv2d::im2col(const float* x, int cn) {
  const int C = in_.c, H = in_.h, W = in_.w, OH = out_.h, OW = out_.w, p = pad();
  const size_t P = size_t(OH) * OW, row_len = cn * P;
  for (int c = 0; c < C; ++c) {
    for (int ky = 0; ky < k_; ++ky) {
      for (int kx = 0; kx < k_; ++kx) {
        float* row = col_.data() + ((c * k_ + ky) * k_ + kx) * row_len;
        // Output columns ox in [lo, hi) read inside the image; the rest are padding.
        const int lo = std::min(OW, std::max(0, p - kx)), hi = std::max(lo, std::min(OW, W + p - kx));
        for (int s = 0; s < cn; ++s) {
          const float* xc = x + (size_t(s) * C + c) * H * W;
          float* out = row + s * P;
          for (int oy = 0; oy < OH; ++oy) {
            const int iy = oy + ky - p;
            float* o = out + oy * OW;
            if (iy < 0 || iy >= H) {
              std::fill(o, o + OW, 0.0f);
              continue;
            }
            const float* in_row = xc + iy * W;
            const int shift = kx - p;
            for (int ox = 0; ox < lo; ++ox) o[ox] = 0.0f;
            copy_row(in_row + lo + shift, o + lo, hi - lo);
            for (int ox = hi; ox < OW; ++ox) o[ox] = 0.0f;
          }
        }
      }
    }
  }
}

void Conv2d::col2im(float* dx, int cn) {
  const int C = in_.c, H = in_.h, W = in_.w, OH = out_.h, OW = out_.w, p = pad();
  const size_t P = size_t(OH) * OW, row_len = cn * P;
  std::fill(dx, dx + size_t(cn) * C * H * W, 0.0f);
  for (int c = 0; c < C; ++c) {
    for (int ky = 0; ky < k_; ++ky) {
      for (int kx = 0; kx < k_; ++kx) {
        const float* row = dcol_.data() + ((c * k_ + ky) * k_ + kx) * row_len;
        const int lo = std::min(OW, std::max(0, p - kx)), hi = std::max(lo, std::min(OW, W + p - kx));
        for (int s = 0; s < cn; ++s) {
          float* xc = dx + (size_t(s) * C + c) * H * W;
          const float* in = row + s * P;
          for (int oy = 0; oy < OH; ++oy) {
            const int iy = oy + ky - p;
            if (iy < 0 || iy >= H) continue;
            float* out_row = xc + iy * W;
            const int shift = kx - p;
            const float* g = in + oy * OW;
            add_row(g + lo, out_row + lo + shift, hi - lo);
          }
        }
      }
    }
  }
}

// The Winograd path, in chunks like im2col; see conv2d.h. With threads, the
// GEMMs of a block are shared out whole (each one single-threaded inside, so
// the result is bit-identical for any thread count).
int Conv2d::winograd_chunk() const {
  const size_t per_sample = size_t(wino_->positions()) * wino_->tiles() * in_.c;
  return int(std::max<size_t>(1, 2 * col_budget_ / per_sample));
}

// V = the chunk's input tiles transformed; per block of samples, M[xi] =
// V[xi] U[xi] for each of the (m + 2)^2 positions, then the outputs
// transformed back with the bias.
void Conv2d::forward_winograd(const float* x, float* y, int n) {
  const WinogradShape& s = *wino_;
  const int C = in_.c, F = f_, chunk = winograd_chunk(), tiles = s.tiles();
  winograd_filter(s, w_, wu_.data());
  const float* b = w_ + size_t(F) * C * 9;
  for (int s0 = 0; s0 < n; s0 += chunk) {
    const int cn = std::min(chunk, n - s0), T = cn * tiles;
    winograd_input(s, x + s0 * in_.size(), cn, wv_.data(), wscratch_.data());
    for (int b0 = 0; b0 < cn; b0 += kWinogradBlock) {
      const int bn = std::min(kWinogradBlock, cn - b0), TB = bn * tiles;
      parallel_for(s.positions(), [&](int xi) {
        gemm(false, false, TB, F, C, wv_.data() + (size_t(xi) * T + size_t(b0) * tiles) * C, C,
             wu_.data() + size_t(xi) * C * F, F, wm_.data() + size_t(xi) * TB * F, F, false);
      });
      winograd_output(s, wm_.data(), bn, b, y + (s0 + b0) * out_.size(), wscratch_.data());
    }
  }
  v_holds_batch_ = n <= chunk;
  u_holds_weights_ = true;
}

// Per block of samples: dM = the output gradient's tiles transformed; dU[xi] +=
// V[xi]^T dM[xi]; dV[xi] = dM[xi] U[xi]^T and the input gradient transformed
// back. dW = dU transformed back, once.
void Conv2d::backward_winograd(const float* x, const float* dy, float* dx, int n) {
  const WinogradShape& s = *wino_;
  const int C = in_.c, F = f_, chunk = winograd_chunk(), tiles = s.tiles();
  float* db = dw_ + size_t(F) * C * 9;
  std::fill(db, db + F, 0.0f);
  if (!u_holds_weights_) winograd_filter(s, w_, wu_.data());
  for (int s0 = 0; s0 < n; s0 += chunk) {
    const int cn = std::min(chunk, n - s0), T = cn * tiles;
    if (!v_holds_batch_) winograd_input(s, x + s0 * in_.size(), cn, wv_.data(), wscratch_.data());
    for (int b0 = 0; b0 < cn; b0 += kWinogradBlock) {
      const int bn = std::min(kWinogradBlock, cn - b0), TB = bn * tiles;
      winograd_output_grad(s, dy + (s0 + b0) * out_.size(), bn, wm_.data(), db, wscratch_.data());
      parallel_for(s.positions(), [&](int xi) {
        gemm(true, false, C, F, TB, wv_.data() + (size_t(xi) * T + size_t(b0) * tiles) * C, C,
             wm_.data() + size_t(xi) * TB * F, F, wdu_.data() + size_t(xi) * C * F, F, s0 + b0 > 0);
      });
      if (!dx) continue;
      parallel_for(s.positions(), [&](int xi) {
        gemm(false, true, TB, C, F, wm_.data() + size_t(xi) * TB * F, F, wu_.data() + size_t(xi) * C * F, F,
             wdv_.data() + size_t(xi) * TB * C, C, false);
      });
      winograd_input_grad(s, wdv_.data(), bn, dx + (s0 + b0) * in_.size(), wscratch_.data());
    }
  }
  winograd_filter_grad(s, wdu_.data(), dw_);
}

// One GEMM per chunk: Yt (F, cn*P) = W (F, rows) * col_ (rows, cn*P), then each
// sample's (F, P) block is copied out to the batch-major y with its bias. One
// wide product keeps the microkernel on full tiles (P alone, e.g. 121, is not a
// multiple of the tile) and packs W once per chunk, not once per sample.
void Conv2d::forward(const float* x, float* y, int n, bool training) {
  if (direct_) {
    forward_direct(x, y, n);
    return;
  }
  if (wino_ && (training || n > kWinogradMinPredict)) {
    forward_winograd(x, y, n);
    return;
  }
  // A small prediction on a Winograd layer: a backward after it (tests call
  // one) must transform the filters and inputs again.
  v_holds_batch_ = u_holds_weights_ = false;
  const int rows = in_.c * k_ * k_;
  const int P = out_.h * out_.w;
  const size_t in_size = in_.size(), out_size = out_.size();
  const int chunk = chunk_samples();
  const float* b = w_ + size_t(f_) * rows;  // (F)
  for (int s0 = 0; s0 < n; s0 += chunk) {
    const int cn = std::min(chunk, n - s0), cols = cn * P;
    im2col(x + s0 * in_size, cn);
    gemm(false, false, f_, cols, rows, w_, rows, col_.data(), cols, yt_.data(), cols, false);
    for (int s = 0; s < cn; ++s) {
      float* ys = y + (s0 + s) * out_size;
      for (int f = 0; f < f_; ++f) {
        const float* src = yt_.data() + size_t(f) * cols + size_t(s) * P;
        float* dst = ys + size_t(f) * P;
        const float bf = b[f];
        for (int i = 0; i < P; ++i) dst[i] = src[i] + bf;
      }
    }
  }
  col_holds_batch_ = n <= chunk;
}

// Per chunk, with dy gathered into Yt (F, cn*P) (the forward's layout):
//   dW (F, rows) += Yt * col_^T        dcol_ (rows, cn*P) = W^T * Yt
void Conv2d::backward(const float* x, const float*, const float* dy, float* dx, int n) {
  if (direct_) {
    backward_direct(x, dy, dx, n);
    return;
  }
  if (wino_) {
    backward_winograd(x, dy, dx, n);
    return;
  }
  const int rows = in_.c * k_ * k_;
  const int P = out_.h * out_.w;
  const size_t in_size = in_.size(), out_size = out_.size();
  const int chunk = chunk_samples();
  float* db = dw_ + size_t(f_) * rows;  // (F)
  std::fill(db, db + f_, 0.0f);
  for (int s0 = 0; s0 < n; s0 += chunk) {
    const int cn = std::min(chunk, n - s0), cols = cn * P;
    if (!col_holds_batch_) im2col(x + s0 * in_size, cn);
    for (int s = 0; s < cn; ++s) {
      const float* dys = dy + (s0 + s) * out_size;
      for (int f = 0; f < f_; ++f) {
        const float* g = dys + size_t(f) * P;
        std::copy(g, g + P, yt_.data() + size_t(f) * cols + size_t(s) * P);
      }
    }
    for (int f = 0; f < f_; ++f) {
      const float* g = yt_.data() + size_t(f) * cols;
      float acc = 0.0f;
      for (int i = 0; i < cols; ++i) acc += g[i];
      db[f] += acc;
    }
    gemm(false, true, f_, rows, cols, yt_.data(), cols, col_.data(), cols, dw_, rows, s0 > 0);
    if (dx) {
      gemm(true, false, rows, cols, f_, w_, rows, yt_.data(), cols, dcol_.data(), cols, false);
      col2im(dx + s0 * in_size, cn);
    }
  }
}

void conv2d_reference(const float* x, const float* params, float* y, int n, int C, int H, int W, int F, int K,
                      int pad) {
  const int OH = H + 2 * pad - K + 1, OW = W + 2 * pad - K + 1;
  const float* bias = params + size_t(F) * C * K * K;
  for (int s = 0; s < n; ++s)
    for (int f = 0; f < F; ++f)
      for (int oy = 0; oy < OH; ++oy)
        for (int ox = 0; ox < OW; ++ox) {
          double acc = bias[f];
          for (int c = 0; c < C; ++c)
            for (int ky = 0; ky < K; ++ky)
              for (int kx = 0; kx < K; ++kx) {
                const int iy = oy + ky - pad, ix = ox + kx - pad;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                acc += double(params[((f * C + c) * K + ky) * K + kx]) * x[((s * C + c) * H + iy) * W + ix];
              }
          y[((s * F + f) * OH + oy) * OW + ox] = float(acc);
        }
}

}  // namespace mnist
