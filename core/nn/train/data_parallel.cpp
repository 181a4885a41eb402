#include "nn/train/data_parallel.h"

#include <algorithm>

#include "nn/model/spec.h"
#include "nn/util/check.h"
#include "nn/util/parallel.h"

namespace mnist {

int shard_count(int batch, bool spatial) {
#if MNIST_THREADS
  return spatial ? std::clamp(batch / kShardSamples, 1, kMaxShards) : 1;
#else
  (void)batch;
  (void)spatial;
  return 1;
#endif
}

bool has_window(const Network& net) {
  for (size_t l = 0; l < net.layer_count(); ++l)
    if (net.layer(l).window() > 0) return true;
  return false;
}

namespace {

// sum x[i]^2 over one arena block: sixteen float running sums (one f32x4 or
// wider vector each, so the loop vectorises without reassociating anything),
// added up in double in a fixed order. The sum only feeds the divergence guard
// (finite and under 1e12), whose verdict float sums within a block cannot
// change: a square or a block sum that overflows a float is far past 1e12
// either way. In double, converting every float made the guard's pass twice as
// long natively (72 vs 35 us of an mlp step) and three times in wasm (74 vs
// 23 us). x: (n), n <= kArenaBlock
double sum_of_squares(const float* __restrict x, size_t n) {
  float acc[16] = {};
  size_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int k = 0; k < 16; ++k) acc[k] += x[i + k] * x[i + k];
  double sum = 0;
  for (float a : acc) sum += a;
  for (; i < n; ++i) sum += double(x[i]) * x[i];
  return sum;
}

}  // namespace

DataParallel::DataParallel(Network& master, int batch, Rng& rng)
    : master_(master), rng0_(rng), batch_(batch), shards_(shard_count(batch, has_window(master))) {
  check(batch >= 1, "data-parallel training: batch must be at least 1, got ", batch);
  x_.resize(size_t(batch) * kImagePixels);
  dlogits_.resize(size_t(batch) * kClasses);
  y_.resize(size_t(batch));
  // The master runs shard 0 only: its buffers need a shard, not the batch.
  const int per_shard = (batch + shards_ - 1) / shards_;
  master_.reserve(per_shard);
  for (int s = 1; s < shards_; ++s) {
    replicas_.push_back(build_network(master.spec(), 0));
    replicas_.back()->share_params(master);
    replicas_.back()->rng().reseed(rng.next_u64());
    replicas_.back()->reserve(per_shard);
    rngs_.emplace_back(rng.next_u64());
  }
  parts_.resize(size_t(shards_));
  block_norm2_.resize((master.param_count() + kArenaBlock - 1) / kArenaBlock);
}

ShardedStep DataParallel::forward_backward(const Dataset& data, const uint32_t* idx, int n, bool augment,
                                           const ShardLoss& loss) {
  check(n >= 1 && n <= batch_, "data-parallel training: a batch of ", n, " samples, not 1..", batch_);
  // Shards of q samples, the last ones shorter or empty: shard 0 always has some.
  const int q = (n + shards_ - 1) / shards_;
  const auto lo = [&](int s) { return std::min(n, s * q); };
  const size_t state = master_.state_count();
  for (int s = 1; s < shards_; ++s) std::copy_n(master_.state(), state, replica(s).state());

  std::fill(parts_.begin(), parts_.end(), ShardedStep{});
  parallel_for(shards_, [&](int s) {
    const int a = lo(s), m = lo(s + 1) - a;
    if (m == 0) return;
    float* x = x_.data() + size_t(a) * kImagePixels;
    if (augment) {
      Rng& rng = s == 0 ? rng0_ : rngs_[size_t(s) - 1];
      for (int i = 0; i < m; ++i)
        augment_image(data.image(int(idx[a + i])), x + size_t(i) * kImagePixels, rng);
    } else {
      to_float(data, idx + a, m, x);
    }
    for (int i = 0; i < m; ++i) y_[size_t(a) + size_t(i)] = data.labels[idx[a + i]];
    Network& net = replica(s);
    const float* logits = net.forward(x, m, true);
    float* dl = dlogits_.data() + size_t(a) * kClasses;
    parts_[size_t(s)].loss = loss(logits, y_.data() + a, m, dl, &parts_[size_t(s)].hits);
    if (m != n) {
      // The shard's mean becomes its share of the batch's (exact when m/n is a power of two).
      const float share = float(m) / float(n);
      for (int i = 0; i < m * kClasses; ++i) dl[i] *= share;
    }
    net.backward(dl, m);
  });

  ShardedStep r;
  int used = 0;
  for (int s = 0; s < shards_; ++s) {
    const int m = lo(s + 1) - lo(s);
    if (m == 0) break;
    r.loss += parts_[size_t(s)].loss * m / n;
    r.hits += parts_[size_t(s)].hits;
    ++used;
  }

  // g = ((g_0 + g_1) + g_2) + ...: each float summed in shard order, whichever thread does its block.
  // Thread k sums and measures the blocks that start in its part of the arena
  // (Network::arena_share), where its products left the gradients.
  float* g = master_.grads();
  const size_t count = master_.param_count();
  const ArenaShare& share = master_.arena_share();
  parallel_for(int(share.size()), [&](int k) {
    for (const auto& [part_from, part_to] : share[size_t(k)])
      for (size_t b = (part_from + kArenaBlock - 1) / kArenaBlock; b * kArenaBlock < part_to; ++b) {
        const size_t from = b * kArenaBlock, to = std::min(count, from + kArenaBlock);
        float* __restrict gb = g;
        for (int s = 1; s < used; ++s) {
          const float* __restrict gs = replica(s).grads();
          for (size_t i = from; i < to; ++i) gb[i] += gs[i];
        }
        block_norm2_[b] = sum_of_squares(gb + from, to - from);
      }
  });
  for (double b : block_norm2_) r.grad_norm2 += b;

  if (state > 0 && used > 1) {
    // Running statistics: each shard's, weighted by its share of the batch.
    float* st = master_.state();
    const float w0 = float(lo(1)) / float(n);
    for (size_t i = 0; i < state; ++i) st[i] *= w0;
    for (int s = 1; s < used; ++s) {
      const float w = float(lo(s + 1) - lo(s)) / float(n);
      const float* rs = replica(s).state();
      for (size_t i = 0; i < state; ++i) st[i] += w * rs[i];
    }
  }
  return r;
}

}  // namespace mnist
