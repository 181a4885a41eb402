#pragma once
// A sequential network with all parameters in one flat arena and all gradients
// in another of the same layout. Layers hold views into both; the optimizer is
// one loop over the arena. Values a layer keeps but does not train (batch
// norm's running statistics) live in a third arena, the state, which the
// optimizer never sees; save/load carries both (nn/model/serialize.h).
//
// Counts: param_count() is the trainable arena; total_count() adds the state
// and is the model's size as users are told it (presets, --json "params",
// model_info): every value a weights file holds, as Keras's "Total params"
// counts batch norm's moving statistics (PyTorch calls them buffers).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nn/layers/layer.h"
#include "nn/util/parallel.h"
#include "nn/util/rng.h"

namespace mnist {

class Network {
 public:
  // Takes the layers in order; configures them against `input`, binds them to
  // the arenas and initialises the weights from `seed`. Throws mnist::Error
  // (naming the layer) if a shape does not fit.
  Network(std::vector<std::unique_ptr<Layer>> layers, Shape input, const std::string& spec, uint64_t seed);

  const std::string& spec() const { return spec_; }
  size_t param_count() const { return grads_.size(); }
  float* params() { return params_ptr_; }
  const float* params() const { return params_ptr_; }
  float* grads() { return grads_.data(); }
  size_t state_count() const { return state_.size(); }
  float* state() { return state_.data(); }
  const float* state() const { return state_.data(); }
  size_t total_count() const { return param_count() + state_count(); }
  const Shape& input_shape() const { return input_; }
  const Shape& output_shape() const { return layers_.back()->out_shape(); }
  size_t layer_count() const { return layers_.size(); }
  const Layer& layer(size_t i) const { return *layers_[i]; }
  Layer& layer(size_t i) { return *layers_[i]; }
  // Offset of layer i's parameters in the arena.
  size_t param_offset(size_t i) const { return offsets_[i]; }
  // Offset of layer i's state in the state arena.
  size_t state_offset(size_t i) const { return state_offsets_[i]; }
  // The arena's floats each of threads() threads owns: for every group of
  // Layer::param_rows(), the rows thread k computes in the layer's products
  // cut the way gemm() cuts them (share_of with gemm_split_unit()). Kept until
  // the thread count changes.
  const ArenaShare& arena_share();

  // x: (n, input) -> logits (n, classes). The pointer stays valid until the next
  // forward, and x must stay alive until backward.
  const float* forward(const float* x, int n, bool training);
  // dlogits: (n, classes) -> fills grads(). Needs the forward of the same batch.
  // dinput (optional): (n, input) receives d/d input, which training never needs
  // (the explanations do: nn/explain). seen (optional) is shown each layer's
  // output gradient, (n, out_i), before that layer's backward runs.
  void backward(const float* dlogits, int n, float* dinput = nullptr,
                const std::function<void(size_t layer, const float* dy)>& seen = nullptr);
  // Output of layer i for sample s of the last forward: (layer(i).out_shape())
  const float* activation(size_t i, int s = 0) const;

  // Grows buffers to hold batches of n; a no-op once large enough.
  void reserve(int n);
  // Makes this network a replica of `master` for data-parallel training
  // (nn/train/data_parallel.h): its layers read and its optimizer would write
  // master's parameters from now on (its own are freed); its gradients, state,
  // activations, scratch and generator stay its own. `master` must have the
  // same spec and outlive it. Throws mnist::Error if the specs differ.
  void share_params(Network& master);
  // Floats a network of `layers` (configured against `input`, not bound) holds
  // once reserved for batches of n: parameters, their gradients and the state,
  // every layer's output, the two backward buffers and every layer's scratch.
  // Shapes only.
  static uint64_t floats_for(const std::vector<std::unique_ptr<Layer>>& layers, const Shape& input, int n);
  // The generator dropout draws from.
  Rng& rng() { return rng_; }

 private:
  std::vector<std::unique_ptr<Layer>> layers_;
  Shape input_;
  std::string spec_;
  Rng rng_;
  std::vector<float> params_, grads_, state_;
  float* params_ptr_ = nullptr;  // params_, or the master's after share_params()
  std::vector<size_t> offsets_, state_offsets_;
  ArenaShare share_;                      // arena_share() for share_.size() threads
  std::vector<std::vector<float>> acts_;  // acts_[i]: (max_batch, out_i)
  std::vector<float> grad_a_, grad_b_;    // ping-pong for backward: (max_batch, max size)
  const float* last_input_ = nullptr;
  int max_batch_ = 0;
  int last_n_ = 0;
};

}  // namespace mnist
