#pragma once
// Data-parallel training steps. A batch is cut into shards whose number depends
// on the batch size and the kind of network alone (shard_count), never on the
// thread count; each shard
// runs its inputs' preparation (augmentation or conversion), forward, loss and
// backward on its own replica of the network (nn/model/network.h share_params:
// the master's parameters, its own gradients, state, activations, scratch and
// generators). The shards' gradients are then summed in shard order, element
// by element, over fixed blocks of the arena shared out between the threads,
// so a run gives the same bits on any number of threads.
//
// Batch norm in a shard normalises with that shard's statistics ("ghost
// batches"); the running statistics are the shards' weighted by their sample
// counts, summed in shard order. With one shard (every batch below
// 2 * kShardSamples, every network without a window, and always in a build
// without threads) the step is the plain one: the master network runs the
// whole batch, and its products share the threads out among themselves
// (nn/kernels/gemm.h).
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "nn/data/dataset.h"
#include "nn/model/network.h"
#include "nn/util/rng.h"

namespace mnist {

// Samples per shard at least, and shards per batch at most.
constexpr int kShardSamples = 32;
constexpr int kMaxShards = 8;

// Shards a batch of `batch` samples is cut into: 1 in a build without threads
// or for a network without a window (spatial: a convolution or a pooling, as
// in SpecInfo), else batch / kShardSamples, within [1, kMaxShards].
//
// A network of dense layers spends its step in products of the whole batch,
// which gemm() splits between the threads by blocks of rows or columns. Cut
// in shards instead, each shard's products are half as tall (14.5% more time
// a sample for mlp at 32 rows against 64) and the shards' gradients must be
// summed: mnist-bench --threads 2 mlp gained 1.80x over one thread as one
// shard, 1.67x as two. A convolution's work is mostly outside the products
// (im2col, pooling, ReLU over feature maps), which only shards share out:
// cnn gained 1.84x as two shards, 1.18x as one.
int shard_count(int batch, bool spatial);

// Whether any layer of `net` has a window (reads its input as planes).
bool has_window(const Network& net);

// The loss of one shard: logits (n, K), labels (n) -> the mean loss over the n
// samples; dlogits (n, K) = its gradient (so scaled by 1/n); hits = argmax hits.
using ShardLoss =
    std::function<double(const float* logits, const uint8_t* labels, int n, float* dlogits, int* hits)>;

struct ShardedStep {
  double loss = 0;        // mean over the batch
  int hits = 0;           // argmax hits over the batch
  double grad_norm2 = 0;  // squared norm of the summed gradient
};

class DataParallel {
 public:
  // `master` is trained: it runs shard 0, and its gradient arena receives the
  // sum. `batch` is the largest batch a step gets. Shard 0 augments from `rng`
  // (the trainer's); the other shards' generators (augmentation, dropout) are
  // seeded from it here, so with one shard nothing is drawn. Both must outlive this.
  DataParallel(Network& master, int batch, Rng& rng);

  int shards() const { return shards_; }

  // One batch: images idx[0..n) of `data` (augmented if asked), n <= batch:
  // fills master.grads() with d(mean loss)/d params and returns the loss.
  ShardedStep forward_backward(const Dataset& data, const uint32_t* idx, int n, bool augment,
                               const ShardLoss& loss);

 private:
  Network& replica(int s) { return s == 0 ? master_ : *replicas_[size_t(s) - 1]; }

  Network& master_;
  Rng& rng0_;
  int batch_, shards_;
  std::vector<std::unique_ptr<Network>> replicas_;  // shards 1..S-1
  std::vector<Rng> rngs_;                           // shards 1..S-1: augmentation
  std::vector<float> x_, dlogits_;                  // (batch, 784), (batch, classes)
  std::vector<uint8_t> y_;                          // (batch)
  std::vector<ShardedStep> parts_;                  // per shard: its mean loss and hits
  std::vector<double> block_norm2_;                 // per arena block
};

}  // namespace mnist
