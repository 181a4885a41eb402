#include "nn/train/finetune.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "nn/util/check.h"
#include "nn/util/rng.h"
#include "nn/util/types.h"

namespace mnist {

void FineTuneConfig::validate() const {
  check(steps >= 1 && steps <= 10000, "fine-tuning steps must be 1..10000, got ", steps);
  check(batch >= 2 && batch <= 512, "the fine-tuning batch must be 2..512, got ", batch);
  check(std::isfinite(lr) && lr > 0.0f && lr <= 1.0f, "the fine-tuning learning rate must be in (0, 1], got ",
        lr);
}

Dataset finetune_mix(const Dataset& user, const Dataset& mnist, const FineTuneConfig& cfg) {
  cfg.validate();
  check(user.count > 0, "no digits of yours to fine-tune on");
  check(mnist.count > 0, "no MNIST training digits loaded to mix in");
  const int total = cfg.steps * cfg.batch, mine = total / 2, replay = std::min(total - mine, mnist.count);
  Dataset mix;
  mix.count = mine + replay;
  mix.images.resize(size_t(mix.count) * kImagePixels);
  mix.labels.resize(size_t(mix.count));
  for (int i = 0; i < mine; ++i) {
    const int u = i % user.count;
    std::copy_n(user.image(u), kImagePixels, mix.images.begin() + ptrdiff_t(i) * kImagePixels);
    mix.labels[size_t(i)] = user.labels[size_t(u)];
  }
  // MNIST digits without repeats: the first `replay` of a seeded shuffle.
  std::vector<uint32_t> order(size_t(mnist.count));
  std::iota(order.begin(), order.end(), 0u);
  Rng rng(cfg.seed ^ 0x5eedf17eULL);
  rng.shuffle(order.data(), order.size());
  for (int i = 0; i < replay; ++i) {
    const int m = int(order[size_t(i)]);
    std::copy_n(mnist.image(m), kImagePixels, mix.images.begin() + ptrdiff_t(mine + i) * kImagePixels);
    mix.labels[size_t(mine) + size_t(i)] = mnist.labels[size_t(m)];
  }
  return mix;
}

TrainConfig finetune_train_config(const FineTuneConfig& cfg) {
  cfg.validate();
  TrainConfig t;
  t.epochs = 1;
  t.batch = cfg.batch;
  t.lr = cfg.lr;
  t.schedule = "constant";
  t.optimizer.kind = "adam";
  t.optimizer.weight_decay = 0.0f;
  t.augment = true;
  t.seed = cfg.seed;
  return t;
}

}  // namespace mnist
