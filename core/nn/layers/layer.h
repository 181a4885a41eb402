#pragma once
// A layer is a forward/backward pair over flat batch-major buffers. Parameters and
// their gradients live in the network's two arenas; a layer only holds pointers
// into them (bind). Scratch space is sized once per batch size (reserve), so the
// training loop itself never allocates.
#include <cstddef>
#include <string>

#include "nn/util/check.h"
#include "nn/util/rng.h"
#include "nn/util/types.h"

namespace mnist {

class Layer {
 public:
  virtual ~Layer() = default;

  // The spec token that builds this layer, e.g. "conv(32,3,same)".
  virtual std::string token() const = 0;
  // A short kind name for views: "dense", "conv", "pool" (max), "avgpool", "gap", "relu", ...
  virtual std::string kind() const = 0;
  // The square window each output reads, for views: a convolution's kernel, a
  // pooling layer's window (also its stride), a global pooling's whole plane;
  // 0 for layers without one. Valid once configured.
  virtual int window() const { return 0; }

  // Checks the input shape and fixes the output shape; throws mnist::Error.
  virtual Shape configure(const Shape& in) = 0;
  virtual size_t param_count() const { return 0; }
  virtual void bind(float* /*params*/, float* /*grads*/) {}
  virtual void init(Rng& /*rng*/) {}
  virtual void reserve(int /*max_batch*/) {}
  // Floats of scratch reserve(max_batch) holds, from the shapes alone (the
  // memory estimate of nn/model/spec.h adds them up before anything is built).
  virtual size_t scratch_floats(int /*max_batch*/) const { return 0; }
  // The network's generator, for layers that draw at run time (dropout).
  virtual void use_rng(Rng* /*rng*/) {}

  // x: (n, in), y: (n, out). `training` turns on dropout.
  virtual void forward(const float* x, float* y, int n, bool training) = 0;
  // Writes (not accumulates) the parameter gradients, and dx unless it is null
  // (the first layer's input gradient is never needed).
  // x, y: what forward saw and produced; dy: (n, out); dx: (n, in).
  virtual void backward(const float* x, const float* y, const float* dy, float* dx, int n) = 0;

  const Shape& in_shape() const { return in_; }
  const Shape& out_shape() const { return out_; }

 protected:
  Shape in_, out_;
};

// Layers that read planes (conv, the poolings) refuse a flat input: they must
// come before flatten/dense.
inline void require_image(const Layer& l, const Shape& in) {
  check(!in.flat, l.token(), ": needs a CxHxW input but gets a flat vector of ", in.c, " (", l.kind(),
        " must come before flatten/dense)");
}

}  // namespace mnist
