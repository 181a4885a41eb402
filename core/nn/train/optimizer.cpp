#include "nn/train/optimizer.h"

#include <algorithm>
#include <cmath>
#include <utility>

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

namespace {

// The update of one stretch of the arena, each element from its own values
// only. Plain functions over restrict pointers with the constants passed by
// value: the loops then vectorise (f32x4 in wasm); a lambda capturing the
// constants by reference reloaded them on every element for fear that a store
// through p aliases them, and Adam ran 5x slower in wasm.
// A first moment this small is stored as 0. A weight whose gradient has stopped
// (a dead ReLU, a pixel no digit inks) sees its moment shrink by beta every
// step, down through the subnormal floats, and arithmetic on a subnormal takes a
// slow microcode path on x86 (wasm cannot flush them to zero). Training the mlp
// on MNIST in the wasm build, 5% of Adam's first moments were subnormal after
// 3,000 steps and its update took 650 us instead of 330 (85% and 770 us on the
// bench's random digits); with the cut none are, at no cost on the way there.
// What is cut moves no weight: lr * 1e-30 / (sqrt(v) + eps) is far below the
// float spacing of any weight. Adam's second moment decays by 0.999 a step and
// stays normal for some 60,000 steps after its gradient stops: it is left alone.
constexpr float kTinyMoment = 1e-30f;
inline float cut(float x, float tiny) { return std::fabs(x) < tiny ? 0.0f : x; }

// p, g, m, v: (n)
void sgd_update(float* __restrict p, const float* __restrict g, float* __restrict m, size_t n, float lr,
                float mu, float wd, bool nesterov) {
  if (nesterov) {
    for (size_t i = 0; i < n; ++i) {
      const float grad = g[i] + wd * p[i];
      m[i] = cut(mu * m[i] + grad, kTinyMoment);
      p[i] -= lr * (grad + mu * m[i]);
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      m[i] = cut(mu * m[i] + (g[i] + wd * p[i]), kTinyMoment);
      p[i] -= lr * m[i];
    }
  }
}

struct AdamConstants {
  float lr, wd, b1, b2, eps, c1, c2;  // c1, c2: the bias corrections 1 / (1 - beta^t)
};

void adam_update(float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict v,
                 size_t n, const AdamConstants k) {
  const float lr = k.lr, wd = k.wd, b1 = k.b1, b2 = k.b2, eps = k.eps, c1 = k.c1, c2 = k.c2;
  for (size_t i = 0; i < n; ++i) {
    m[i] = cut(b1 * m[i] + (1.0f - b1) * g[i], kTinyMoment);
    v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
    const float mhat = m[i] * c1, vhat = v[i] * c2;
    p[i] -= lr * (mhat / (std::sqrt(vhat) + eps) + wd * p[i]);
  }
}

}  // namespace

void Optimizer::step(float* params, const float* grads, float lr, const ArenaShare* share) {
  ++t_;
  const AdamConstants k = {lr,
                           cfg_.weight_decay,
                           cfg_.beta1,
                           cfg_.beta2,
                           cfg_.eps,
                           1.0f / (1.0f - std::pow(cfg_.beta1, float(t_))),
                           1.0f / (1.0f - std::pow(cfg_.beta2, float(t_)))};
  // Each element's update reads only its own values, so any cut of the arena
  // between the threads gives the same bits.
  const auto update = [&](size_t from, size_t to) {
    if (cfg_.kind == "sgd")
      sgd_update(params + from, grads + from, m_.data() + from, to - from, lr, cfg_.momentum,
                 cfg_.weight_decay, cfg_.nesterov);
    else
      adam_update(params + from, grads + from, m_.data() + from, v_.data() + from, to - from, k);
  };
  if (share && share->size() > 1) {
    parallel_for(int(share->size()), [&](int p) {
      for (const auto& [from, to] : (*share)[size_t(p)]) update(from, to);
    });
    return;
  }
  const int blocks = int((n_ + kArenaBlock - 1) / kArenaBlock);
  parallel_ranges(blocks, [&](int lo, int hi) {
    update(size_t(lo) * kArenaBlock, std::min(n_, size_t(hi) * kArenaBlock));
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
