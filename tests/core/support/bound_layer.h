#pragma once
// A layer outside any Network: owns its parameter, gradient and state arenas
// and the generator dropout draws from, so a test can set weights by hand, run one
// forward/backward pair and read every buffer.
#include <vector>

#include "nn/layers/layer.h"
#include "nn/util/rng.h"

namespace mnist::test {

class BoundLayer {
 public:
  // Configures `layer` for one sample of shape `in`, binds it to fresh arenas,
  // initialises the weights from `seed` and sizes its scratch for `max_batch`.
  // Settings that must precede reserve (Conv2d::set_col_budget) go on `layer` first.
  BoundLayer(Layer& layer, const Shape& in, int max_batch, uint64_t seed = 1) : layer(layer), rng(seed) {
    layer.configure(in);
    params.assign(layer.param_count(), 0.0f);
    grads.assign(layer.param_count(), 0.0f);
    state.assign(layer.state_count(), 0.0f);
    layer.bind(params.data(), grads.data());
    layer.bind_state(state.data());
    layer.init(rng);
    layer.reserve(max_batch);
    layer.use_rng(&rng);
  }
  BoundLayer(const BoundLayer&) = delete;
  BoundLayer& operator=(const BoundLayer&) = delete;

  int in_size() const { return layer.in_shape().size(); }
  int out_size() const { return layer.out_shape().size(); }

  // x: (n, in) -> y: (n, out)
  std::vector<float> forward(const std::vector<float>& x, int n, bool training = false) {
    std::vector<float> y(size_t(n) * out_size());
    layer.forward(x.data(), y.data(), n, training);
    return y;
  }
  // x, y: the last forward's; dy: (n, out) -> dx: (n, in). Fills `grads`.
  std::vector<float> backward(const std::vector<float>& x, const std::vector<float>& y,
                              const std::vector<float>& dy, int n) {
    std::vector<float> dx(size_t(n) * in_size());
    layer.backward(x.data(), y.data(), dy.data(), dx.data(), n);
    return dx;
  }

  Layer& layer;
  std::vector<float> params, grads, state;
  Rng rng;  // the one the layer draws from at run time
};

}  // namespace mnist::test
