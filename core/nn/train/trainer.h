#pragma once
// Runs training n batches at a time, so a caller (the CLI loop, the browser
// worker) keeps control between calls: it can report, evaluate, pause or stop.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nn/data/dataset.h"
#include "nn/model/network.h"
#include "nn/model/spec.h"
#include "nn/train/data_parallel.h"
#include "nn/train/optimizer.h"

namespace mnist {

// A TrainConfig field left to the recipe: a preset's own value, else the field's off value.
constexpr int kAsRecipe = -1;

struct TrainConfig {
  int epochs = defaults::kEpochs;
  int batch = defaults::kBatch;
  float lr = defaults::kLr;
  std::string schedule = defaults::kSchedule;
  OptimizerConfig optimizer;
  bool augment = false;
  uint64_t seed = 1;  // shuffling and augmentation
  int limit = 0;      // train on the first `limit` samples only (0: all)
  // The next two are kAsRecipe unless asked for: the preset's own, 0 for a spec (as_trained).
  float label_smoothing = kAsRecipe;  // targets (1 - s) onehot + s / 10, s in [0, 1) (nn/train/loss.h)
  int test_shifts = kAsRecipe;        // evaluation views besides the image (kTestShifts): 0, 2 or 4
  static TrainConfig from_recipe(const Recipe& r, uint64_t seed);
  // This config for `model` (a preset name or a spec), with every kAsRecipe field given its value.
  TrainConfig as_trained(const std::string& model) const;
  void validate() const;  // throws mnist::Error for an out-of-range value
};

// Throws mnist::Error unless 0 < lr <= 10.
void check_lr(float lr);

struct Progress {
  int epoch = 1;  // the epoch in progress, or just finished (1-based)
  int batch = 0;  // batches done in this epoch
  int batches_per_epoch = 0;
  long step = 0, total_steps = 0;
  double loss = 0, accuracy = 0;  // running means over this epoch so far
  double epoch_seconds = 0;       // training time in this epoch so far
  double samples_per_second = 0;  // over this epoch so far
  float lr = 0;
  bool epoch_done = false;  // the last step call ended an epoch
  bool finished = false;    // all epochs done (or diverged)
  bool diverged = false;
  long diverged_step = 0;    // when diverged: the step whose update was refused (step + 1)
  double diverged_loss = 0;  // when diverged: that batch's loss (inf or NaN when not finite)
  std::string message;       // why training stopped early
};

class Trainer {
 public:
  // The trainer keeps references: net and data must outlive it.
  Trainer(Network& net, const Dataset& train, const TrainConfig& cfg);

  // Runs up to `max_batches` batches, stopping early at the end of an epoch or
  // when the loss diverges (the update that would have spoilt the weights is not
  // applied). `on_batch` (optional) sees the progress after every batch.
  const Progress& step(int max_batches, const std::function<void(const Progress&)>& on_batch = nullptr);
  const Progress& progress() const { return p_; }
  bool finished() const { return p_.finished; }
  const TrainConfig& config() const { return cfg_; }
  // From the next batch on the run trains at `lr`, a constant rate (the schedule stops
  // here): a knob turned mid-run. Throws mnist::Error for a rate validate() would refuse.
  void set_lr(float lr);

 private:
  void start_epoch();

  Network& net_;
  const Dataset& data_;
  TrainConfig cfg_;
  Optimizer opt_;
  Schedule sched_;
  Rng rng_;
  Progress p_;
  std::vector<uint32_t> order_;
  std::optional<DataParallel> par_;  // forward and backward of each batch, shard by shard
  ShardLoss loss_;                   // each shard's loss, with the run's label smoothing
  int count_;                        // samples used: data_.count or the limit
  double loss_sum_ = 0;
  long correct_ = 0, seen_ = 0;
};

struct EvalResult {
  int count = 0;
  double loss = 0, accuracy = 0;
  std::vector<int> confusion;           // (10, 10): [true][predicted]
  std::vector<double> per_class;        // (10): accuracy of each true class
  std::vector<uint32_t> misclassified;  // indices into the data set
  std::vector<uint8_t> predicted;       // (count)
  // With the predicted class of every sample when `with_predictions`.
  std::string to_json(bool with_predictions = false) const;
};

// Test-time augmentation: with `shifts` views (2 or 4) the prediction for a
// digit the image alone leaves unsure of (its two likeliest classes less than
// kUnsureGap apart in the softmax) is the mean of the softmax over the image
// and its copies shifted by one pixel, in this order: right, left, then down,
// up; its loss is -ln of that mean at the label. A sure digit keeps the
// image's own softmax: fast's models over seeds 1-3 gave the same accuracy as
// shifting every digit with 0.6 and 0.7, where about 5% and 8% of the test
// digits are unsure, so the evaluation runs about a fifth of the forward passes.
constexpr int kTestShifts[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};  // {dx, dy}
constexpr float kUnsureGap = 0.7f;
void check_test_shifts(int shifts);  // throws mnist::Error unless 0, 2 or 4
// The largest of the 10 probabilities p minus the second largest.
float top_two_gap(const float* p);

// Evaluates on the first `limit` samples (all if limit <= 0). `transform`, if
// given, edits each float image (784) in place before the forward pass (used
// for the shift/rotation robustness experiments); `shifts` averages the
// predictions over that many shifted views too (kTestShifts) for the digits
// whose top_two_gap is below `unsure_gap` (above 1: every digit). The batch defaults to the
// page's training batch: the network's buffers grow to the largest batch they
// have seen and never shrink, and evaluating cnn at 250 between epochs used to
// add ~160 MB of activations to the wasm heap for nothing.
constexpr int kEvalBatch = 64;
EvalResult evaluate(Network& net, const Dataset& data, int limit = 0, int batch = kEvalBatch,
                    const std::function<void(float*)>& transform = nullptr, int shifts = 0,
                    float unsure_gap = kUnsureGap);

}  // namespace mnist
