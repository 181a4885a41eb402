// The recipe's techniques beyond the optimizer: label smoothing in training,
// test-time shifts in evaluation, and how a run gets them from its preset.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "nn/model/serialize.h"
#include "nn/model/spec.h"
#include "nn/session.h"
#include "nn/train/loss.h"
#include "nn/train/trainer.h"
#include "support/fixtures.h"

using namespace mnist;
using namespace mnist::test;
using Catch::Contains;

namespace {

// A small conv net, trained a little so that its answers depend on where the ink is.
std::unique_ptr<Network> trained_conv_net(const Dataset& train) {
  auto net = build_network("conv(4,3)-pool(2)-bn-relu-flatten-dense(10)", 5);
  TrainConfig cfg;
  cfg.epochs = 2;
  cfg.batch = 16;
  cfg.lr = 1e-2f;
  cfg.schedule = "constant";
  Trainer t(*net, train, cfg);
  while (!t.finished()) t.step(1000);
  return net;
}

}  // namespace

TEST_CASE("recipe: test shifts average the softmax of each view for the unsure digits, computed one by one",
          "[recipe]") {
  const Dataset train = blob_dataset(200, 11), test = blob_dataset(37, 12);
  auto net = trained_conv_net(train);
  // One sample at a time: the image's own softmax, and its gap between the two likeliest classes.
  const auto plain_softmax = [&](int s, std::vector<float>& x) {
    const uint32_t idx = uint32_t(s);
    to_float(test, &idx, 1, x.data());
    std::vector<float> p(kClasses);
    softmax(net->forward(x.data(), 1, false), p.data(), kClasses);
    return p;
  };
  std::vector<float> gaps, x(kImagePixels), moved(kImagePixels);
  for (int s = 0; s < test.count; ++s) gaps.push_back(top_two_gap(plain_softmax(s, x).data()));
  std::vector<float> sorted = gaps;
  std::sort(sorted.begin(), sorted.end());
  // A gap about halfway through the digits' own, midway between two of them that are well
  // apart: a batch of 8 and one sample at a time may round a digit's softmax differently
  // (another GEMM path), so no digit's gap may sit at the line.
  size_t mid = sorted.size() / 2;
  while (mid + 1 < sorted.size() && sorted[mid] - sorted[mid - 1] < 1e-3f) ++mid;
  REQUIRE(sorted[mid] - sorted[mid - 1] >= 1e-3f);
  const float halfway = (sorted[mid - 1] + sorted[mid]) / 2;
  // Every digit shifted (a gap above 1), then about half of them: those below `halfway`.
  for (float unsure_gap : {2.0f, halfway}) {
    for (int shifts : {2, 4}) {
      INFO("shifts " << shifts << ", unsure below a gap of " << unsure_gap);
      // A batch that does not divide the count.
      const EvalResult r = evaluate(*net, test, 0, 8, nullptr, shifts, unsure_gap);
      REQUIRE(r.count == 37);
      double loss = 0;
      int correct = 0, unsure = 0;
      for (int s = 0; s < test.count; ++s) {
        // The image itself, then, for an unsure digit, each shift in kTestShifts' order.
        const std::vector<float> p0 = plain_softmax(s, x);
        std::vector<double> mean(p0.begin(), p0.end());
        if (gaps[size_t(s)] < unsure_gap) {
          ++unsure;
          float p[kClasses];
          for (int v = 0; v < shifts; ++v) {
            shift_image(x.data(), moved.data(), kTestShifts[v][0], kTestShifts[v][1]);
            softmax(net->forward(moved.data(), 1, false), p, kClasses);
            for (int k = 0; k < kClasses; ++k) mean[size_t(k)] += p[k];
          }
          for (double& m : mean) m /= 1 + shifts;
        }
        int best = 0;
        for (int k = 1; k < kClasses; ++k)
          if (mean[size_t(k)] > mean[size_t(best)]) best = k;
        INFO("sample " << s);
        CHECK(int(r.predicted[size_t(s)]) == best);
        correct += best == test.labels[size_t(s)];
        loss -= std::log(mean[test.labels[size_t(s)]]);
      }
      if (unsure_gap < 1.0f) CHECK((unsure > 0 && unsure < test.count));  // both kinds of digit
      CHECK(r.accuracy == Approx(correct / 37.0));
      CHECK(r.loss == Approx(loss / 37).epsilon(1e-4));
    }
  }
  // Each view counts: the shifted answers are not the plain ones on every sample.
  const EvalResult plain = evaluate(*net, test, 0, 8), shifted = evaluate(*net, test, 0, 8, nullptr, 4, 2.0f);
  CHECK(plain.loss != shifted.loss);
  // Left out, the gap is kUnsureGap.
  CHECK(evaluate(*net, test, 0, 8, nullptr, 4).loss ==
        evaluate(*net, test, 0, 8, nullptr, 4, kUnsureGap).loss);
  CHECK_THROWS_WITH(evaluate(*net, test, 0, 8, nullptr, 3), Contains("test shifts must be 0, 2 or 4"));
}

TEST_CASE("recipe: top_two_gap is the likeliest class's probability minus the next one's", "[recipe]") {
  const float a[kClasses] = {0.05f, 0.6f, 0.05f, 0.2f, 0.02f, 0.02f, 0.02f, 0.02f, 0.01f, 0.01f};
  CHECK(top_two_gap(a) == Approx(0.4f));
  const float first[kClasses] = {0.9f, 0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.02f, 0.01f};
  CHECK(top_two_gap(first) == Approx(0.88f));
  const float tie[kClasses] = {0.0f, 0.0f, 0.5f, 0.0f, 0.0f, 0.0f, 0.0f, 0.5f, 0.0f, 0.0f};
  CHECK(top_two_gap(tie) == 0.0f);
}

TEST_CASE("recipe: label smoothing trains towards the smoothed targets", "[recipe]") {
  const Dataset train = blob_dataset(300, 13);
  // One batch, the whole set, plain SGD at rate 1: the update is the gradient itself, so the
  // weights' change tells which loss the trainer differentiated.
  TrainConfig cfg;
  cfg.epochs = 1;
  cfg.batch = 300;
  cfg.lr = 1.0f;
  cfg.schedule = "constant";
  cfg.optimizer.kind = "sgd";
  cfg.optimizer.momentum = 0.0f;
  cfg.label_smoothing = 0.2f;
  auto net = build_network("dense(10)", 3);
  const std::vector<float> before(net->params(), net->params() + net->param_count());
  // The smoothed loss's gradient, by the loss function on the same network.
  std::vector<float> x(size_t(train.count) * kImagePixels), dlogits(size_t(train.count) * kClasses);
  std::vector<uint32_t> all(size_t(train.count));
  for (int s = 0; s < train.count; ++s) all[size_t(s)] = uint32_t(s);
  to_float(train, all.data(), train.count, x.data());
  const double expected_loss =
      softmax_cross_entropy(net->forward(x.data(), train.count, true), train.labels.data(), train.count,
                            kClasses, nullptr, dlogits.data(), nullptr, 0.2f);
  net->backward(dlogits.data(), train.count);
  const std::vector<float> grad(net->grads(), net->grads() + net->param_count());

  Trainer t(*net, train, cfg);
  const Progress& p = t.step(1);
  CHECK(p.loss == Approx(expected_loss).epsilon(1e-5));
  for (size_t i = 0; i < grad.size(); ++i) {
    INFO("parameter " << i);
    CHECK(before[i] - net->params()[i] == Approx(grad[i]).epsilon(1e-4).margin(1e-6));
  }
}

TEST_CASE("recipe: a run takes the preset's techniques unless told otherwise", "[recipe]") {
  const Preset* fast = find_preset("fast");
  REQUIRE(fast != nullptr);
  TrainConfig cfg;  // both fields left to the recipe
  CHECK(cfg.label_smoothing == float(kAsRecipe));
  CHECK(cfg.test_shifts == kAsRecipe);
  const TrainConfig as_fast = cfg.as_trained("fast");
  CHECK(as_fast.label_smoothing == fast->recipe.label_smoothing);
  CHECK(as_fast.test_shifts == fast->recipe.test_shifts);
  // A spec has no recipe: both are off.
  const TrainConfig as_spec = cfg.as_trained("dense(10)");
  CHECK(as_spec.label_smoothing == 0.0f);
  CHECK(as_spec.test_shifts == 0);
  // What is asked for is kept.
  cfg.label_smoothing = 0.05f;
  cfg.test_shifts = 0;
  CHECK(cfg.as_trained("fast").label_smoothing == 0.05f);
  CHECK(cfg.as_trained("fast").test_shifts == 0);
  CHECK(TrainConfig::from_recipe(fast->recipe, 1).label_smoothing == fast->recipe.label_smoothing);
  // Out of range is refused with the field's name.
  cfg.label_smoothing = 1.0f;
  CHECK_THROWS_WITH(cfg.validate(), Contains("label smoothing must be in [0, 1)"));
  cfg.label_smoothing = std::nanf("");
  CHECK_THROWS_WITH(cfg.validate(), Contains("label smoothing"));
  cfg.label_smoothing = 0.1f;
  cfg.test_shifts = 1;
  CHECK_THROWS_WITH(cfg.validate(), Contains("test shifts must be 0, 2 or 4"));
}

TEST_CASE("recipe: the session evaluates a model with its run's test shifts", "[recipe]") {
  const Dataset train = blob_dataset(64, 14), test = blob_dataset(40, 15);
  const IdxPair tr = to_idx(train), te = to_idx(test);
  Session s;
  s.load_data("train", tr.images.data(), tr.images.size(), tr.labels.data(), tr.labels.size());
  s.load_data("test", te.images.data(), te.images.size(), te.labels.data(), te.labels.size());
  TrainConfig cfg = Session::defaults();
  cfg.batch = 32;
  cfg.test_shifts = 4;
  s.start_new_training("conv(4,3)-pool(2)-bn-relu-flatten-dense(10)", cfg);
  s.train(2);
  // The same weights, evaluated directly with and without the shifts.
  const std::vector<uint8_t> bytes = s.export_weights(false);
  auto net = load_network(bytes.data(), bytes.size());
  CHECK(s.evaluate(0) == evaluate(*net, test, 0, kEvalBatch, nullptr, 4).to_json());
  CHECK(s.evaluate(0) != evaluate(*net, test).to_json());
  // A model that did not come from such a run is evaluated on the images alone.
  s.import_weights(bytes.data(), bytes.size());
  CHECK(s.evaluate(0) == evaluate(*net, test).to_json());
}
