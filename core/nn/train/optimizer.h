#pragma once
// Optimizers are one loop over the flat parameter arena; their state (velocity,
// Adam moments) is arena-shaped too.
#include <cstddef>
#include <string>
#include <vector>

#include "nn/train/defaults.h"
#include "nn/util/parallel.h"

namespace mnist {

struct OptimizerConfig {
  std::string kind = defaults::kOptimizer;          // adam | sgd
  float momentum = 0.9f;                            // sgd
  bool nesterov = false;                            // sgd
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;  // adam
  float weight_decay = 0.0f;                        // sgd: L2 added to the gradient; adam: decoupled (AdamW)
};

class Optimizer {
 public:
  Optimizer(const OptimizerConfig& cfg, size_t n);
  // p -= update(g) with learning rate lr. p, g: (n). With `share` (the
  // network's Network::arena_share()) thread k updates part k, where its
  // products left the gradients and will read the weights; else the arena is
  // cut in even ranges of whole blocks. The same bits either way.
  void step(float* p, const float* g, float lr, const ArenaShare* share = nullptr);
  const OptimizerConfig& config() const { return cfg_; }
  long steps() const { return t_; }

 private:
  OptimizerConfig cfg_;
  size_t n_;
  long t_ = 0;
  std::vector<float> m_, v_;  // sgd: m_ is the velocity; adam: first and second moments
};

// Learning rate at a step of a run of `total` steps.
struct Schedule {
  std::string kind = "constant";  // constant | step | cosine | onecycle
  float base_lr = defaults::kLr;
  long steps_per_epoch = 1;
  long total = 1;
  int step_epochs = 5;  // step: decay every this many epochs...
  float gamma = 0.5f;   // ... by this factor
  float warmup = 0.2f;  // onecycle: fraction of the run spent rising
  float lr_at(long step) const;
};

// Throws mnist::Error for an unknown name.
void validate_optimizer(const std::string& kind);
void validate_schedule(const std::string& kind);

}  // namespace mnist
