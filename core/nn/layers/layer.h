#pragma once
// A layer is a forward/backward pair over flat batch-major buffers. Parameters and
// their gradients live in the network's two arenas, values it keeps but does not
// train (batch norm's running statistics) in a third; a layer only holds pointers
// into them (bind, bind_state). Scratch space is sized once per batch size
// (reserve), so the training loop itself never allocates.
// A layer type's spec token, usage and factory: nn/layers/registry.h.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "nn/util/check.h"
#include "nn/util/rng.h"
#include "nn/util/types.h"

namespace mnist {

// What a layer is, as data: Session::model_info() hands it to the page, which
// draws from it instead of reading spec tokens. A field that does not apply to
// the layer's kind keeps its empty value ("", 0, no rate).
struct LayerAttributes {
  std::string kind;           // Layer::kind()
  Shape out;                  // output shape
  size_t params = 0;          // trainable parameters (Layer::param_count())
  size_t state = 0;           // values kept but not trained (Layer::state_count())
  int window = 0;             // Layer::window()
  bool spatial = false;       // window > 0: reads its input as CxHxW planes
  int units = 0;              // dense: outputs
  int filters = 0;            // conv: output channels
  int kernel = 0;             // conv: K of the KxK kernel
  int stride = 0;             // conv: 1; pool, avgpool: the window; gap: the plane's side
  std::string padding;        // conv: "same" or "valid"
  std::string pooling;        // pool: "max"; avgpool, gap: "average"
  std::optional<float> rate;  // dropout: the probability of dropping a value
  bool activation = false;    // an element-wise non-linearity (relu, sigmoid, tanh)
};

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
  // Kind, shapes, counts and window, plus what add_attributes() says of this kind.
  LayerAttributes attributes() const {
    LayerAttributes a;
    a.kind = kind();
    a.out = out_;
    a.params = param_count();
    a.state = state_count();
    a.window = window();
    a.spatial = a.window > 0;
    add_attributes(a);
    return a;
  }

  // Checks the input shape and fixes the output shape; throws mnist::Error.
  virtual Shape configure(const Shape& in) = 0;
  virtual size_t param_count() const { return 0; }
  // The parameters as groups of rows, in arena order, for sharing them out
  // between threads (Network::arena_share): a thread that computes some rows of
  // the layer's weight matrix in its products (GemmSplit) owns those rows of
  // every group, each row `width` floats. By default one row per float.
  struct ParamRows {
    int rows;
    size_t width;
  };
  virtual std::vector<ParamRows> param_rows() const { return {{int(param_count()), 1}}; }
  virtual void bind(float* /*params*/, float* /*grads*/) {}
  // Values kept but not trained: saved and loaded with the parameters, but in
  // their own arena, so the optimizer and weight decay never touch them.
  virtual size_t state_count() const { return 0; }
  virtual void bind_state(float* /*state*/) {}
  // Sets the parameters and the state (both bound).
  virtual void init(Rng& /*rng*/) {}
  virtual void reserve(int /*max_batch*/) {}
  // Floats of scratch reserve(max_batch) holds, from the shapes alone (the
  // memory estimate of nn/model/spec.h adds them up before anything is built).
  virtual size_t scratch_floats(int /*max_batch*/) const { return 0; }
  // The network's generator, for layers that draw at run time (dropout).
  virtual void use_rng(Rng* /*rng*/) {}

  // x: (n, in), y: (n, out). `training` turns on dropout and batch norm's batch statistics.
  virtual void forward(const float* x, float* y, int n, bool training) = 0;
  // Writes (not accumulates) the parameter gradients, and dx unless it is null
  // (the first layer's input gradient is never needed).
  // x, y: what forward saw and produced; dy: (n, out); dx: (n, in).
  virtual void backward(const float* x, const float* y, const float* dy, float* dx, int n) = 0;

  const Shape& in_shape() const { return in_; }
  const Shape& out_shape() const { return out_; }

 protected:
  // The attributes particular to this kind of layer (units, kernel, rate, ...).
  virtual void add_attributes(LayerAttributes& /*a*/) const {}

  Shape in_, out_;
};

// Layers that read planes (conv, the poolings) refuse a flat input: they must
// come before flatten/dense.
inline void require_image(const Layer& l, const Shape& in) {
  check(!in.flat, l.token(), ": needs a CxHxW input but gets a flat vector of ", in.c, " (", l.kind(),
        " must come before flatten/dense)");
}

}  // namespace mnist
