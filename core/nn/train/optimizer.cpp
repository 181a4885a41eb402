#include "nn/train/optimizer.h"

#include <algorithm>
#include <cmath>

#include "nn/util/check.h"
#include "nn/util/parallel.h"

namespace mnist {

void validate_optimizer(const std::string& kind) {
  check(kind == "adam" || kind == "sgd", "unknown optimizer '", kind, "' (use adam or sgd)");
}

void validate_schedule(const std::string& kind) {
  check(kind == "constant" || kind == "step" || kind == "cosine" || kind == "onecycle", "unknown schedule '",
        kind, "' (use constant, step, cosine or onecycle)");
}

Optimizer::Optimizer(const OptimizerConfig& cfg, size_t n) : cfg_(cfg), n_(n) {
  validate_optimizer(cfg.kind);
  m_.assign(n, 0.0f);
  if (cfg.kind == "adam") v_.assign(n, 0.0f);
}

void Optimizer::step(float* params, const float* grads, float lr) {
  ++t_;
  const float wd = cfg_.weight_decay;
  // Each element's update reads only its own values, so the arena is shared
  // out between the threads in fixed blocks (the same bits on any count).
  // Local restrict pointers and constants: the loops then vectorise (f32x4 in
  // wasm) instead of reloading the config and state on every element for fear
  // that a store through p aliases them.
  const auto blocks = [&](auto update) {
    parallel_for(int((n_ + kArenaBlock - 1) / kArenaBlock), [&](int b) {
      const size_t from = size_t(b) * kArenaBlock;
      update(from, std::min(n_, from + kArenaBlock));
    });
  };
  if (cfg_.kind == "sgd") {
    const float mu = cfg_.momentum;
    if (cfg_.nesterov) {
      blocks([&](size_t from, size_t to) {
        float* __restrict p = params;
        const float* __restrict g = grads;
        float* __restrict m = m_.data();
        for (size_t i = from; i < to; ++i) {
          const float grad = g[i] + wd * p[i];
          m[i] = mu * m[i] + grad;
          p[i] -= lr * (grad + mu * m[i]);
        }
      });
    } else {
      blocks([&](size_t from, size_t to) {
        float* __restrict p = params;
        const float* __restrict g = grads;
        float* __restrict m = m_.data();
        for (size_t i = from; i < to; ++i) {
          m[i] = mu * m[i] + (g[i] + wd * p[i]);
          p[i] -= lr * m[i];
        }
      });
    }
    return;
  }
  const float b1 = cfg_.beta1, b2 = cfg_.beta2, eps = cfg_.eps;
  const float c1 = 1.0f / (1.0f - std::pow(b1, float(t_)));
  const float c2 = 1.0f / (1.0f - std::pow(b2, float(t_)));
  blocks([&](size_t from, size_t to) {
    float* __restrict p = params;
    const float* __restrict g = grads;
    float* __restrict m = m_.data();
    float* __restrict v = v_.data();
    for (size_t i = from; i < to; ++i) {
      m[i] = b1 * m[i] + (1.0f - b1) * g[i];
      v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
      const float mhat = m[i] * c1, vhat = v[i] * c2;
      p[i] -= lr * (mhat / (std::sqrt(vhat) + eps) + wd * p[i]);
    }
  });
}

float Schedule::lr_at(long step) const {
  const double pi = 3.14159265358979323846;
  const double frac = total > 0 ? std::min(1.0, double(step) / double(total)) : 0.0;
  if (kind == "step") {
    const long epoch = steps_per_epoch > 0 ? step / steps_per_epoch : 0;
    const long drops = epoch / std::max(1, step_epochs);  // whole drops so far
    return base_lr * std::pow(gamma, float(drops));
  }
  if (kind == "cosine") return float(base_lr * 0.5 * (1.0 + std::cos(pi * frac)));
  if (kind == "onecycle") {
    // Linear warm-up from base/10 to base, then cosine down to base/1000.
    if (frac < warmup) return float(base_lr * (0.1 + 0.9 * frac / warmup));
    const double f = (frac - warmup) / std::max(1e-9, 1.0 - warmup);
    return float(base_lr * (0.001 + 0.999 * 0.5 * (1.0 + std::cos(pi * f))));
  }
  return base_lr;
}

}  // namespace mnist
