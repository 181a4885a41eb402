#include "nn/train/trainer.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "nn/train/loss.h"
#include "nn/util/check.h"
#include "nn/util/json.h"

namespace mnist {

TrainConfig TrainConfig::from_recipe(const Recipe& r, uint64_t seed) {
  TrainConfig c;
  c.epochs = r.epochs;
  c.batch = r.batch;
  c.lr = r.lr;
  c.schedule = r.schedule;
  c.optimizer.kind = r.optimizer;
  c.optimizer.weight_decay = r.weight_decay;
  c.augment = r.augment;
  c.label_smoothing = r.label_smoothing;
  c.test_shifts = r.test_shifts;
  c.limit = r.limit;
  c.seed = seed;
  return c;
}

TrainConfig TrainConfig::as_trained(const std::string& model) const {
  const Preset* preset = find_preset(model);
  const Recipe recipe = preset ? preset->recipe : Recipe{};
  TrainConfig c = *this;
  if (c.label_smoothing == float(kAsRecipe)) c.label_smoothing = recipe.label_smoothing;
  if (c.test_shifts == kAsRecipe) c.test_shifts = recipe.test_shifts;
  return c;
}

namespace {

// sum (=, or += unless `first`) the softmax of each row of logits. logits, sum: (n, 10)
void add_softmax(const float* logits, int n, float* sum, bool first) {
  float p[kClasses];
  for (int s = 0; s < n; ++s) {
    softmax(logits + size_t(s) * kClasses, p, kClasses);
    float* row = sum + size_t(s) * kClasses;
    for (int k = 0; k < kClasses; ++k) row[k] = first ? p[k] : row[k] + p[k];
  }
}

}  // namespace

float top_two_gap(const float* p) {
  float first = p[0], second = -1.0f;
  for (int k = 1; k < kClasses; ++k) {
    if (p[k] > first) {
      second = first;
      first = p[k];
    } else if (p[k] > second) {
      second = p[k];
    }
  }
  return first - second;
}

void check_test_shifts(int shifts) {
  check(shifts == 0 || shifts == 2 || shifts == 4, "test shifts must be 0, 2 or 4, got ", shifts);
}

void check_lr(float lr) {
  check(std::isfinite(lr) && lr > 0.0f && lr <= 10.0f, "learning rate must be in (0, 10], got ", lr);
}

void TrainConfig::validate() const {
  check(epochs >= 1 && epochs <= 1000, "epochs must be 1..1000, got ", epochs);
  check(batch >= 1 && batch <= 4096, "batch must be 1..4096, got ", batch);
  check_lr(lr);
  check(std::isfinite(optimizer.weight_decay) && optimizer.weight_decay >= 0.0f &&
            optimizer.weight_decay < 1.0f,
        "weight decay must be in [0, 1), got ", optimizer.weight_decay);
  validate_optimizer(optimizer.kind);
  validate_schedule(schedule);
  check(limit >= 0, "limit must not be negative, got ", limit);
  check(label_smoothing == float(kAsRecipe) ||
            (std::isfinite(label_smoothing) && label_smoothing >= 0.0f && label_smoothing < 1.0f),
        "label smoothing must be in [0, 1), got ", label_smoothing);
  if (test_shifts != kAsRecipe) check_test_shifts(test_shifts);
}

Trainer::Trainer(Network& net, const Dataset& train, const TrainConfig& cfg)
    : net_(net), data_(train), cfg_(cfg), opt_(cfg.optimizer, net.param_count()), rng_(cfg.seed) {
  cfg_.validate();
  check(train.count > 0, "training set is empty");
  count_ = cfg_.limit > 0 ? std::min(cfg_.limit, train.count) : train.count;
  check(net.input_shape().size() == kImagePixels && net.output_shape().size() == kClasses,
        "the model does not map 28x28 images to 10 classes");
  cfg_.batch = std::min(cfg_.batch, count_);
  order_.resize(count_);
  std::iota(order_.begin(), order_.end(), 0u);
  par_.emplace(net_, cfg_.batch, rng_);
  // A trainer is not told which preset it trains: a field left to the recipe is off.
  cfg_ = cfg_.as_trained(net.spec());
  // One shard's loss (nn/train/data_parallel.h ShardLoss).
  loss_ = [smoothing = cfg_.label_smoothing](const float* logits, const uint8_t* labels, int n,
                                             float* dlogits, int* hits) {
    return softmax_cross_entropy(logits, labels, n, kClasses, nullptr, dlogits, hits, smoothing);
  };
  p_.batches_per_epoch = (count_ + cfg_.batch - 1) / cfg_.batch;
  p_.total_steps = long(p_.batches_per_epoch) * cfg_.epochs;
  sched_.kind = cfg_.schedule;
  sched_.base_lr = cfg_.lr;
  sched_.steps_per_epoch = p_.batches_per_epoch;
  sched_.total = p_.total_steps;
  start_epoch();
}

void Trainer::set_lr(float lr) {
  check_lr(lr);
  sched_.kind = "constant";
  sched_.base_lr = lr;
}

void Trainer::start_epoch() {
  rng_.shuffle(order_.data(), order_.size());
  p_.batch = 0;
  p_.epoch_seconds = 0;
  loss_sum_ = 0;
  correct_ = seen_ = 0;
}

const Progress& Trainer::step(int max_batches, const std::function<void(const Progress&)>& on_batch) {
  if (p_.finished) return p_;
  if (p_.epoch_done) {
    p_.epoch_done = false;
    ++p_.epoch;
    start_epoch();
  }
  using clock = std::chrono::steady_clock;
  for (int b = 0; b < max_batches; ++b) {
    const auto t0 = clock::now();
    const int start = p_.batch * cfg_.batch;
    const int n = std::min(cfg_.batch, count_ - start);
    const uint32_t* idx = order_.data() + start;
    const ShardedStep r = par_->forward_backward(data_, idx, n, cfg_.augment, loss_);
    const double loss = r.loss, g2 = r.grad_norm2;
    const int hits = r.hits;
    const float* g = net_.grads();
    // A 10-class cross-entropy starts near ln 10 = 2.3; a batch mean above 100
    // means the true digits get probabilities below e^-100: the run has blown up
    // even if every number is still finite (Adam at a huge rate does this).
    constexpr double kDivergedLoss = 100.0;
    if (!std::isfinite(loss) || loss > kDivergedLoss || !std::isfinite(g2) || g2 > 1e12) {
      p_.diverged = p_.finished = true;
      p_.diverged_step = p_.step + 1;
      p_.diverged_loss = loss;
      p_.message = "training diverged at step " + std::to_string(p_.diverged_step) + " (loss " +
                   (std::isfinite(loss) ? std::to_string(loss) : std::string("not finite")) +
                   "); the weights from the last good step are kept. Try a lower learning rate.";
      return p_;
    }
    p_.lr = sched_.lr_at(p_.step);
    opt_.step(net_.params(), g, p_.lr, &net_.arena_share());

    ++p_.step;
    ++p_.batch;
    loss_sum_ += loss * n;
    correct_ += hits;
    seen_ += n;
    p_.loss = loss_sum_ / seen_;
    p_.accuracy = double(correct_) / seen_;
    p_.epoch_seconds += std::chrono::duration<double>(clock::now() - t0).count();
    p_.samples_per_second = p_.epoch_seconds > 0 ? seen_ / p_.epoch_seconds : 0;
    if (p_.batch == p_.batches_per_epoch) {
      p_.epoch_done = true;
      p_.finished = p_.epoch == cfg_.epochs;
    }
    if (on_batch) on_batch(p_);
    if (p_.epoch_done) break;
  }
  return p_;
}

EvalResult evaluate(Network& net, const Dataset& data, int limit, int batch,
                    const std::function<void(float*)>& transform, int shifts, float unsure_gap) {
  check(batch >= 1, "evaluate: batch must be at least 1, got ", batch);
  check_test_shifts(shifts);
  const int count = limit > 0 ? std::min(limit, data.count) : data.count;
  check(count > 0, "evaluation set is empty");
  EvalResult r;
  r.count = count;
  r.confusion.assign(kClasses * kClasses, 0);
  r.predicted.resize(count);
  std::vector<float> x(size_t(batch) * kImagePixels);
  // With shifts: one shifted view of the unsure digits (batch, 784), their views' softmax
  // summed (batch, 10) and where each is in the batch; every digit's softmax, or for an
  // unsure one its views' mean (batch, 10).
  std::vector<float> moved(shifts ? x.size() : 0);
  std::vector<float> views(shifts ? size_t(batch) * kClasses : 0), mean(views.size());
  std::vector<int> rows(shifts ? size_t(batch) : 0);
  std::vector<uint32_t> idx(batch);
  double loss_sum = 0;
  int correct = 0;
  for (int start = 0; start < count; start += batch) {
    const int n = std::min(batch, count - start);
    const uint8_t* labels = data.labels.data() + start;
    std::iota(idx.begin(), idx.begin() + n, uint32_t(start));
    to_float(data, idx.data(), n, x.data());
    if (transform)
      for (int s = 0; s < n; ++s) transform(x.data() + size_t(s) * kImagePixels);
    const float* scores =
        net.forward(x.data(), n, false);  // (n, 10): logits, or with shifts the mean softmax
    if (shifts) {
      add_softmax(scores, n, mean.data(), true);
      // Only the digits the image alone leaves unsure of are shown shifted too.
      int u = 0;
      for (int s = 0; s < n; ++s) {
        if (top_two_gap(mean.data() + size_t(s) * kClasses) >= unsure_gap) continue;
        rows[size_t(u)] = s;
        std::copy_n(mean.data() + size_t(s) * kClasses, kClasses, views.data() + size_t(u) * kClasses);
        ++u;
      }
      if (u > 0) {
        for (int v = 0; v < shifts; ++v) {
          for (int j = 0; j < u; ++j)
            shift_image(x.data() + size_t(rows[size_t(j)]) * kImagePixels,
                        moved.data() + size_t(j) * kImagePixels, kTestShifts[v][0], kTestShifts[v][1]);
          add_softmax(net.forward(moved.data(), u, false), u, views.data(), false);
        }
        const float inv = 1.0f / float(1 + shifts);
        for (int j = 0; j < u; ++j)
          for (int k = 0; k < kClasses; ++k)
            mean[size_t(rows[size_t(j)]) * kClasses + size_t(k)] =
                views[size_t(j) * kClasses + size_t(k)] * inv;
      }
      scores = mean.data();
      for (int s = 0; s < n; ++s)
        loss_sum -= std::log(std::max(double(scores[size_t(s) * kClasses + labels[s]]), 1e-300));
    } else {
      loss_sum += softmax_cross_entropy(scores, labels, n, kClasses, nullptr, nullptr) * n;
    }
    for (int s = 0; s < n; ++s) {
      const int pred = argmax(scores + size_t(s) * kClasses, kClasses);
      const int truth = labels[s];
      correct += pred == truth;
      r.predicted[start + s] = uint8_t(pred);
      ++r.confusion[truth * kClasses + pred];
      if (pred != truth) r.misclassified.push_back(uint32_t(start + s));
    }
  }
  r.loss = loss_sum / count;
  r.accuracy = double(correct) / count;
  r.per_class.resize(kClasses);
  for (int c = 0; c < kClasses; ++c) {
    int total = 0;
    for (int p = 0; p < kClasses; ++p) total += r.confusion[c * kClasses + p];
    r.per_class[c] = total ? double(r.confusion[c * kClasses + c]) / total : 0.0;
  }
  return r;
}

std::string EvalResult::to_json(bool with_predictions) const {
  JsonWriter w;
  w.field("count", count)
      .field("loss", loss)
      .field("accuracy", accuracy)
      .field("confusion", confusion)
      .field("per_class", per_class)
      .field("misclassified", misclassified);
  if (with_predictions) w.field("predicted", std::vector<int>(predicted.begin(), predicted.end()));
  return w.str();
}

}  // namespace mnist
