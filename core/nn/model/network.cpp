#include "nn/model/network.h"

#include <algorithm>

#include "nn/kernels/gemm.h"
#include "nn/util/check.h"

namespace mnist {

Network::Network(std::vector<std::unique_ptr<Layer>> layers, Shape input, const std::string& spec,
                 uint64_t seed)
    : layers_(std::move(layers)), input_(input), spec_(spec), rng_(seed) {
  check(!layers_.empty(), "the model has no layers");
  Shape s = input;
  size_t params = 0, state = 0;
  for (size_t i = 0; i < layers_.size(); ++i) {
    s = layers_[i]->configure(s);
    offsets_.push_back(params);
    state_offsets_.push_back(state);
    params += layers_[i]->param_count();
    state += layers_[i]->state_count();
  }
  params_.assign(params, 0.0f);
  grads_.assign(params, 0.0f);
  state_.assign(state, 0.0f);
  params_ptr_ = params_.data();
  for (size_t i = 0; i < layers_.size(); ++i) {
    layers_[i]->bind(params_.data() + offsets_[i], grads_.data() + offsets_[i]);
    layers_[i]->bind_state(state_.data() + state_offsets_[i]);
    layers_[i]->init(rng_);
    layers_[i]->use_rng(&rng_);
  }
  acts_.resize(layers_.size());
}

const ArenaShare& Network::arena_share() {
  const int parts = threads();
  if (int(share_.size()) == parts) return share_;
  share_.assign(size_t(parts), {});
  const int unit = gemm_split_unit();
  for (size_t i = 0; i < layers_.size(); ++i) {
    size_t at = offsets_[i];
    for (const Layer::ParamRows& g : layers_[i]->param_rows()) {
      const int cut = share_parts(g.rows, unit, parts);  // as gemm() cuts
      for (int k = 0; k < cut; ++k) {
        const auto [lo, hi] = share_of(g.rows, unit, cut, k);
        const size_t from = at + size_t(lo) * g.width, to = at + size_t(hi) * g.width;
        auto& ranges = share_[size_t(k)];
        if (!ranges.empty() && ranges.back().second == from)
          ranges.back().second = to;
        else
          ranges.emplace_back(from, to);
      }
      at += size_t(g.rows) * g.width;
    }
    check(at == offsets_[i] + layers_[i]->param_count(), layers_[i]->token(), ": param_rows() covers ",
          at - offsets_[i], " of its ", layers_[i]->param_count(), " parameters");
  }
  return share_;
}

void Network::reserve(int n) {
  if (n <= max_batch_) return;
  max_batch_ = n;
  size_t widest = input_.size();
  for (size_t i = 0; i < layers_.size(); ++i) {
    acts_[i].resize(size_t(n) * layers_[i]->out_shape().size());
    widest = std::max<size_t>(widest, layers_[i]->out_shape().size());
    layers_[i]->reserve(n);
  }
  grad_a_.resize(size_t(n) * widest);
  grad_b_.resize(size_t(n) * widest);
}

void Network::share_params(Network& master) {
  check(&master != this && master.spec() == spec_ && master.param_count() == param_count(),
        "share_params: the replica of ", spec_, " needs a master of the same spec, not ", master.spec());
  params_ptr_ = master.params();
  for (size_t i = 0; i < layers_.size(); ++i)
    layers_[i]->bind(params_ptr_ + offsets_[i], grads_.data() + offsets_[i]);
  std::vector<float>().swap(params_);
}

uint64_t Network::floats_for(const std::vector<std::unique_ptr<Layer>>& layers, const Shape& input, int n) {
  uint64_t params = 0, state = 0, outputs = 0, scratch = 0, widest = uint64_t(input.size());
  for (const auto& l : layers) {
    params += l->param_count();
    state += l->state_count();
    outputs += uint64_t(l->out_shape().size());
    widest = std::max<uint64_t>(widest, uint64_t(l->out_shape().size()));
    scratch += l->scratch_floats(n);
  }
  return 2 * params + state + uint64_t(n) * (outputs + 2 * widest) + scratch;
}

const float* Network::forward(const float* x, int n, bool training) {
  check(n >= 1, "forward: empty batch");
  reserve(n);
  last_input_ = x;
  last_n_ = n;
  const float* in = x;
  for (size_t i = 0; i < layers_.size(); ++i) {
    layers_[i]->forward(in, acts_[i].data(), n, training);
    in = acts_[i].data();
  }
  return in;
}

void Network::backward(const float* dlogits, int n, float* dinput,
                       const std::function<void(size_t layer, const float* dy)>& seen) {
  check(n == last_n_ && last_input_, "backward: needs the forward of the same batch first");
  const float* dy = dlogits;
  float* bufs[2] = {grad_a_.data(), grad_b_.data()};
  int which = 0;
  for (size_t i = layers_.size(); i-- > 0;) {
    if (seen) seen(i, dy);
    const float* x = i == 0 ? last_input_ : acts_[i - 1].data();
    float* dx = i == 0 ? dinput : bufs[which];
    layers_[i]->backward(x, acts_[i].data(), dy, dx, n);
    dy = dx;
    which ^= 1;
  }
}

const float* Network::activation(size_t i, int s) const {
  check(i < layers_.size() && s >= 0 && s < last_n_, "activation: no layer ", i, " / sample ", s);
  return acts_[i].data() + size_t(s) * layers_[i]->out_shape().size();
}

}  // namespace mnist
