// Data-parallel training: the same bits on any thread count, the sharded
// gradient against the unsharded one, batch norm's ghost batches against a
// hand computation, and the thread counts refused.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include "nn/kernels/gemm.h"
#include "nn/layers/batchnorm.h"
#include "nn/model/spec.h"
#include "nn/train/data_parallel.h"
#include "nn/train/loss.h"
#include "nn/train/trainer.h"
#include "nn/util/check.h"
#include "nn/util/parallel.h"
#include "support/fixtures.h"

using namespace mnist;
using namespace mnist::test;

namespace {

struct Threads {
  explicit Threads(int n) { set_threads(n); }
  ~Threads() { set_threads(1); }
};

double softmax_loss(const float* logits, const uint8_t* labels, int n, float* dlogits, int* hits) {
  return softmax_cross_entropy(logits, labels, n, kClasses, nullptr, dlogits, hits);
}

// Parameters then state after `steps` batches of a run on `threads` threads.
std::vector<float> train_steps(const std::string& spec, int threads, int batch, int steps) {
  Threads t(threads);
  const Dataset train = blob_dataset(360, 5);
  auto net = build_network(spec, 11);
  TrainConfig cfg;
  cfg.epochs = 3;
  cfg.batch = batch;
  cfg.lr = 3e-3f;
  cfg.augment = true;
  cfg.seed = 4;
  Trainer trainer(*net, train, cfg);
  for (int s = 0; s < steps && !trainer.finished(); ++s) trainer.step(1);
  std::vector<float> out(net->params(), net->params() + net->param_count());
  out.insert(out.end(), net->state(), net->state() + net->state_count());
  return out;
}

}  // namespace

TEST_CASE("shard_count depends on the batch and the kind of network alone", "[parallel][data_parallel]") {
#if MNIST_THREADS
  CHECK(shard_count(1, true) == 1);
  CHECK(shard_count(63, true) == 1);
  CHECK(shard_count(64, true) == 2);
  CHECK(shard_count(128, true) == 4);
  CHECK(shard_count(4096, true) == kMaxShards);
  // Dense layers only: one shard, whose products gemm() shares out.
  CHECK(shard_count(128, false) == 1);
  CHECK(shard_count(4096, false) == 1);
#else
  CHECK(shard_count(128, true) == 1);
  CHECK(shard_count(128, false) == 1);
#endif
  CHECK(has_window(*build_network("conv(2,3)-flatten-dense(10)", 1)));
  CHECK(has_window(*build_network("gap-flatten-dense(10)", 1)));
  CHECK_FALSE(has_window(*build_network("dense(16)-bn-relu-dropout(0.1)-dense(10)", 1)));
  Rng rng(1);
  CHECK(DataParallel(*build_network("dense(16)-relu-dense(10)", 1), 128, rng).shards() == 1);
}

TEST_CASE("set_threads refuses counts outside 1..max_threads and keeps the old one", "[parallel]") {
  for (int bad : {0, -1, max_threads() + 1}) {
    INFO("threads=" << bad);
    CHECK_THROWS_AS(set_threads(bad), Error);
    CHECK(threads() == 1);
  }
}

// The code guarantees it: the shards are cut from the batch size, each shard's
// GEMMs stay on one thread, and every float of the sums and the update is
// computed in the same order whoever computes it. The 360 samples at batch 96
// leave a last batch of 72, cut 24/24/24, and an epoch boundary is crossed.
TEST_CASE("training gives the same weights bit for bit on 1, 2 and 3 threads", "[parallel][data_parallel]") {
  const char* specs[] = {
      "conv(4,3,same)-relu-pool(2)-conv(16,3)-relu-pool(2)-flatten-dense(24)-relu-dropout(0.2)-dense(10)",
      "conv(4,3)-bn-relu-pool(2)-flatten-dense(16)-bn-relu-dense(10)",
      "dense(40)-relu-dense(10)",
      "dense(300)-relu-dense(72)-relu-dense(10)",
  };
  for (const char* spec : specs) {
    INFO(spec);
    const std::vector<float> one = train_steps(spec, 1, 96, 6);
    for (int n : {2, 3}) {
      INFO("threads=" << n);
      const std::vector<float> many = train_steps(spec, n, 96, 6);
      REQUIRE(many.size() == one.size());
      CHECK(std::memcmp(many.data(), one.data(), one.size() * sizeof(float)) == 0);
    }
  }
}

// What each thread owns of the arena (the optimizer's and the gradient norm's
// parts): the parts cover the arena once, and a dense layer's part k is the
// rows of W, and their biases, that gemm() gives thread k when it cuts the
// layer's products along the units.
TEST_CASE("arena_share gives thread k the rows of each weight matrix it computes", "[parallel]") {
  auto net = build_network("conv(4,3)-bn-relu-pool(2)-flatten-dense(300)-relu-dense(72)-relu-dense(10)", 3);
  const int unit = gemm_split_unit();
  for (int n : {1, 2, 3}) {
    Threads t(n);
    INFO("threads=" << n << " unit=" << unit);
    const ArenaShare& share = net->arena_share();
    REQUIRE(int(share.size()) == n);
    std::vector<std::pair<size_t, size_t>> all;
    for (const auto& part : share) all.insert(all.end(), part.begin(), part.end());
    std::sort(all.begin(), all.end());
    size_t at = 0;
    for (const auto& [from, to] : all) {
      CHECK(from == at);
      CHECK(to > from);
      at = to;
    }
    CHECK(at == net->param_count());
    const auto owns = [&](int k, size_t from, size_t to) {
      for (const auto& [a, b] : share[size_t(k)])
        if (a <= from && to <= b) return true;
      return false;
    };
    for (size_t l = 0; l < net->layer_count(); ++l) {
      const Layer& layer = net->layer(l);
      if (layer.kind() != "dense") continue;
      const int units = layer.out_shape().size(), in = layer.in_shape().size();
      const size_t w = net->param_offset(l), b = w + size_t(units) * in;
      const int parts = share_parts(units, unit, n);
      for (int k = 0; k < parts; ++k) {
        const auto [lo, hi] = share_of(units, unit, parts, k);
        INFO(layer.token() << " part " << k << ": units " << lo << ".." << hi);
        CHECK(owns(k, w + size_t(lo) * in, w + size_t(hi) * in));
        CHECK(owns(k, b + size_t(lo), b + size_t(hi)));
      }
    }
  }
}

// Two shards of 32 against the whole batch of 64 in one network. The shard's
// output gradient is (p - onehot)/32 * 1/2, the same floats as (p - onehot)/64
// (both factors are powers of two), so what differs is only the order of the
// sums over samples: the unsharded GEMM adds all 64 terms of dW in one
// reduction, the sharded one 32 + 32 and then the two halves. Each order
// rounds within a few ulps per addition, so the gap is bounded by about
// 64 * 2^-24 times the sum of the terms' magnitudes; 1e-5 of the layer's
// largest gradient holds that with room to spare.
TEST_CASE("the sharded gradient equals the unsharded one within float rounding", "[data_parallel]") {
  REQUIRE(shard_count(64, true) == 2);  // natively there are threads
  const std::string spec = "conv(4,3)-relu-pool(2)-conv(16,3)-relu-flatten-dense(32)-relu-dense(10)";
  const Dataset data = blob_dataset(64, 9);
  std::vector<uint32_t> idx(64);
  for (uint32_t i = 0; i < 64; ++i) idx[i] = i;

  auto sharded = build_network(spec, 3);
  Rng rng(1);
  DataParallel par(*sharded, 64, rng);
  REQUIRE(par.shards() == 2);
  const ShardedStep r = par.forward_backward(data, idx.data(), 64, false, softmax_loss);

  auto whole = build_network(spec, 3);
  std::vector<float> x(64 * size_t(kImagePixels)), dl(64 * size_t(kClasses));
  to_float(data, idx.data(), 64, x.data());
  int hits = 0;
  const double loss = softmax_cross_entropy(whole->forward(x.data(), 64, true), data.labels.data(), 64,
                                            kClasses, nullptr, dl.data(), &hits);
  whole->backward(dl.data(), 64);

  CHECK(r.loss == Approx(loss).epsilon(1e-6));
  CHECK(r.hits == hits);
  for (size_t l = 0; l < whole->layer_count(); ++l) {
    const size_t from = whole->param_offset(l), count = whole->layer(l).param_count();
    float largest = 0;
    for (size_t i = from; i < from + count; ++i) largest = std::max(largest, std::fabs(whole->grads()[i]));
    for (size_t i = from; i < from + count; ++i) {
      INFO("layer " << l << " parameter " << i - from);
      CHECK(std::fabs(sharded->grads()[i] - whole->grads()[i]) <= 1e-5f * largest);
    }
  }
}

// gap-flatten-dense(3)-bn-dense(10) on 64 samples: two ghost batches of 32
// (the global average pooling makes it a network that is sharded; it gives
// dense(3) each image's mean brightness). By hand, in double: each shard's
// dense(3) outputs, their mean and variance per feature,
// the normalised values through the last layer and the softmax loss; the
// running statistics move a tenth of the way to the mean of the two shards'
// statistics (unbiased variances).
TEST_CASE("batch norm in a sharded step uses each shard's own statistics", "[data_parallel][bn]") {
  REQUIRE(shard_count(64, true) == 2);  // natively there are threads
  const Dataset data = blob_dataset(64, 2);
  std::vector<uint32_t> idx(64);
  for (uint32_t i = 0; i < 64; ++i) idx[i] = i;
  auto net = build_network("gap-flatten-dense(3)-bn-dense(10)", 8);
  const std::vector<float> p(net->params(), net->params() + net->param_count());
  Rng rng(1);
  DataParallel par(*net, 64, rng);
  const ShardedStep r = par.forward_backward(data, idx.data(), 64, false, softmax_loss);

  const int H = 3;
  const float* w1 = p.data();  // (3, 1), then b1 (3), gamma (3), beta (3), w2 (10, 3), b2 (10)
  const float *b1 = w1 + H, *gamma = b1 + H, *beta = gamma + H, *w2 = beta + H, *b2 = w2 + kClasses * H;
  double loss = 0, mean_of_means[H] = {}, mean_of_vars[H] = {};
  for (int s = 0; s < 2; ++s) {
    double h[32][H];
    for (int i = 0; i < 32; ++i) {
      const uint8_t* img = data.image(s * 32 + i);
      double brightness = 0;
      for (int k = 0; k < kImagePixels; ++k) brightness += img[k] / 255.0 / kImagePixels;
      for (int o = 0; o < H; ++o) h[i][o] = b1[o] + double(w1[o]) * brightness;
    }
    double mean[H] = {}, var[H] = {};
    for (int o = 0; o < H; ++o) {
      for (int i = 0; i < 32; ++i) mean[o] += h[i][o] / 32;
      for (int i = 0; i < 32; ++i) var[o] += (h[i][o] - mean[o]) * (h[i][o] - mean[o]) / 32;
      mean_of_means[o] += mean[o] / 2;
      mean_of_vars[o] += var[o] * 32 / 31 / 2;
    }
    for (int i = 0; i < 32; ++i) {
      double z[kClasses], top = -1e300, sum = 0;
      for (int c = 0; c < kClasses; ++c) {
        z[c] = b2[c];
        for (int o = 0; o < H; ++o)
          z[c] += w2[c * H + o] *
                  (gamma[o] * (h[i][o] - mean[o]) / std::sqrt(var[o] + BatchNorm::kEps) + beta[o]);
        top = std::max(top, z[c]);
      }
      for (double v : z) sum += std::exp(v - top);
      loss += (std::log(sum) + top - z[data.labels[size_t(s * 32 + i)]]) / 64;
    }
  }
  CHECK(r.loss == Approx(loss).epsilon(1e-4));
  const float* running = net->state() + net->state_offset(3);  // mean (3), variance (3)
  for (int o = 0; o < H; ++o) {
    INFO("feature " << o);
    CHECK(running[o] == Approx(0.1 * mean_of_means[o]).epsilon(1e-4));
    CHECK(running[H + o] == Approx(0.9 + 0.1 * mean_of_vars[o]).epsilon(1e-4));
  }
}
