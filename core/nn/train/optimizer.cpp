#include "nn/train/optimizer.h"

#include <cmath>

#include "nn/util/check.h"

namespace mnist {

void validate_optimizer(const std::string& kind) {
  check(kind == "adam" || kind == "sgd", "unknown optimizer '", kind, "' (use adam or sgd)");
}

void validate_schedule(const std::string& kind) {
  check(kind == "constant" || kind == "step" || kind == "cosine" || kind == "onecycle", "unknown schedule '", kind,
        "' (use constant, step, cosine or onecycle)");
}

Optimizer::Optimizer(const OptimizerConfig& cfg, size_t n) : cfg_(cfg), n_(n) {
  validate_optimizer(cfg.kind);
  m_.assign(n, 0.0f);
  if (cfg.kind == "adam") v_.assign(n, 0.0f);
}

void Optimizer::step(float* p, const float* g, float lr) {
  ++t_;
  const float wd = cfg_.weight_decay;
  if (cfg_.kind == "sgd") {
    const float mu = cfg_.momentum;
    for (size_t i = 0; i < n_; ++i) {
      const float grad = g[i] + wd * p[i];
      m_[i] = mu * m_[i] + grad;
      p[i] -= lr * (cfg_.nesterov ? grad + mu * m_[i] : m_[i]);
    }
    return;
  }
  const float b1 = cfg_.beta1, b2 = cfg_.beta2;
  const float c1 = 1.0f / (1.0f - std::pow(b1, float(t_)));
  const float c2 = 1.0f / (1.0f - std::pow(b2, float(t_)));
  for (size_t i = 0; i < n_; ++i) {
    m_[i] = b1 * m_[i] + (1.0f - b1) * g[i];
    v_[i] = b2 * v_[i] + (1.0f - b2) * g[i] * g[i];
    const float mhat = m_[i] * c1, vhat = v_[i] * c2;
    p[i] -= lr * (mhat / (std::sqrt(vhat) + cfg_.eps) + wd * p[i]);
  }
}

float Schedule::lr_at(long step) const {
  const double pi = 3.14159265358979323846;
  const double frac = total > 0 ? std::min(1.0, double(step) / double(total)) : 0.0;
  if (kind == "step") {
    const long epoch = steps_per_epoch > 0 ? step / steps_per_epoch : 0;
    return base_lr * std::pow(gamma, float(epoch / std::max(1, step_epochs)));
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
