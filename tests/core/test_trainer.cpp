// Training end to end on the synthetic blob set, the step/epoch bookkeeping,
// evaluation, and the divergence guard.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "nn/model/spec.h"
#include "nn/train/loss.h"
#include "nn/train/trainer.h"
#include "nn/util/check.h"
#include "support/fixtures.h"

using namespace mnist;
using namespace mnist::test;
using Catch::Contains;

namespace {

TrainConfig quick_config(int epochs, int batch, float lr) {
  TrainConfig cfg;
  cfg.epochs = epochs;
  cfg.batch = batch;
  cfg.lr = lr;
  cfg.seed = 3;
  return cfg;
}

// Trains to the end, returning each epoch's running loss.
std::vector<double> train_all(Trainer& t) {
  std::vector<double> epoch_loss;
  while (!t.finished()) {
    const Progress& p = t.step(1000);
    if (p.epoch_done) epoch_loss.push_back(p.loss);
  }
  return epoch_loss;
}

}  // namespace

TEST_CASE("trainer: small models learn the blob set", "[trainer]") {
  const Dataset train = blob_dataset(400, 1), test = blob_dataset(200, 2);
  struct Case {
    const char* spec;
    int epochs;
    float lr;
  };
  const Case cases[] = {
      {"dense(32)-relu-dense(10)", 4, 3e-3f},
      {"conv(4,3,same)-relu-pool(2)-conv(8,3,same)-relu-pool(2)-flatten-dense(10)", 3, 1e-2f},
  };
  for (const Case& c : cases) {
    INFO(c.spec);
    auto net = build_network(c.spec, 7);
    const double before = evaluate(*net, test).accuracy;
    Trainer trainer(*net, train, quick_config(c.epochs, 32, c.lr));
    const std::vector<double> losses = train_all(trainer);
    REQUIRE(losses.size() == size_t(c.epochs));
    CHECK(losses.back() < losses.front());
    CHECK(losses.back() < 1.0);  // chance is ln 10 = 2.3
    CHECK(trainer.progress().accuracy > 0.9);
    CHECK_FALSE(trainer.progress().diverged);
    const EvalResult r = evaluate(*net, test);
    CHECK(before < 0.5);
    CHECK(r.accuracy > 0.9);  // on samples it never saw; chance is 0.1
  }
}

TEST_CASE("trainer: step(n) runs at most n batches and stops at an epoch's end", "[trainer]") {
  const Dataset data = blob_dataset(100, 4);
  auto net = build_network("dense(16)-relu-dense(10)", 1);
  TrainConfig cfg = quick_config(2, 32, 0.05f);
  cfg.schedule = "constant";
  Trainer t(*net, data, cfg);
  // 100 samples in batches of 32: 32, 32, 32, 4 -> 4 batches an epoch, 8 in all.
  int calls = 0;
  auto count = [&](const Progress&) { ++calls; };
  const Progress& p = t.progress();
  CHECK(p.batches_per_epoch == 4);
  CHECK(p.total_steps == 8);
  CHECK(p.step == 0);

  t.step(3, count);
  CHECK(calls == 3);
  CHECK(p.epoch == 1);
  CHECK(p.batch == 3);
  CHECK(p.step == 3);
  CHECK_FALSE(p.epoch_done);
  CHECK(p.lr == 0.05f);
  CHECK(p.loss > 0);
  CHECK((p.accuracy >= 0 && p.accuracy <= 1));

  t.step(5, count);  // only one batch is left in this epoch
  CHECK(calls == 4);
  CHECK(p.epoch == 1);
  CHECK(p.batch == 4);
  CHECK(p.step == 4);
  CHECK(p.epoch_done);
  CHECK_FALSE(p.finished);

  t.step(2, count);  // the next call starts epoch 2
  CHECK(p.epoch == 2);
  CHECK(p.batch == 2);
  CHECK(p.step == 6);
  CHECK_FALSE(p.epoch_done);

  t.step(100, count);
  CHECK(p.step == 8);
  CHECK(p.epoch == 2);
  CHECK(p.epoch_done);
  CHECK(p.finished);
  CHECK(t.finished());
  CHECK_FALSE(p.diverged);

  t.step(10, count);  // finished: nothing more runs
  CHECK(calls == 8);
  CHECK(p.step == 8);
}

TEST_CASE("trainer: set_lr changes the rate from the next batch on, and refuses a bad one", "[trainer]") {
  const Dataset data = blob_dataset(100, 4);
  auto net = build_network("dense(16)-relu-dense(10)", 1);
  TrainConfig cfg = quick_config(2, 32, 0.05f);
  cfg.schedule = "onecycle";
  Trainer t(*net, data, cfg);
  t.step(2);
  const float scheduled = t.progress().lr;
  t.set_lr(0.0123f);
  CHECK(t.progress().lr == scheduled);  // the batches already run keep theirs
  t.step(1);
  CHECK(t.progress().lr == 0.0123f);
  t.step(3);  // constant from then on, across the epoch's end
  CHECK(t.progress().lr == 0.0123f);
  CHECK_THROWS_WITH(t.set_lr(0), Contains("learning rate must be in (0, 10]"));
  CHECK_THROWS_WITH(t.set_lr(std::nanf("")), Contains("learning rate must be in (0, 10]"));
  t.step(1);
  CHECK(t.progress().lr == 0.0123f);  // a refused rate changes nothing
}

TEST_CASE("trainer: a bad configuration is refused", "[trainer]") {
  const Dataset data = blob_dataset(20, 4);
  auto net = build_network("dense(10)", 1);
  TrainConfig cfg = quick_config(1, 8, 0.1f);
  cfg.lr = 0;
  CHECK_THROWS_WITH(Trainer(*net, data, cfg), Contains("learning rate must be in (0, 10]"));
  cfg = quick_config(0, 8, 0.1f);
  CHECK_THROWS_WITH(Trainer(*net, data, cfg), Contains("epochs must be 1..1000"));
  cfg = quick_config(1, 0, 0.1f);
  CHECK_THROWS_WITH(Trainer(*net, data, cfg), Contains("batch must be 1..4096"));
  cfg = quick_config(1, 8, 0.1f);
  cfg.schedule = "linear";
  CHECK_THROWS_WITH(Trainer(*net, data, cfg), Contains("unknown schedule"));
  cfg = quick_config(1, 8, 0.1f);
  CHECK_THROWS_WITH(Trainer(*net, Dataset{}, cfg), Contains("training set is empty"));
  // A batch larger than the set is cut to the set: one batch an epoch.
  cfg = quick_config(1, 64, 0.1f);
  Trainer t(*net, data, cfg);
  CHECK(t.progress().batches_per_epoch == 1);
}

TEST_CASE("trainer: evaluate reports a consistent confusion matrix", "[trainer]") {
  const Dataset train = blob_dataset(200, 5), test = blob_dataset(97, 6);
  auto net = build_network("dense(10)", 2);
  Trainer t(*net, train, quick_config(1, 20, 3e-3f));
  train_all(t);
  // A batch that does not divide the count, and a limit.
  const EvalResult r = evaluate(*net, test, 0, 10);
  REQUIRE(r.count == 97);
  REQUIRE(r.confusion.size() == 100);
  REQUIRE(r.predicted.size() == 97);
  int total = 0, diagonal = 0;
  for (int i = 0; i < 100; ++i) total += r.confusion[size_t(i)];
  for (int c = 0; c < 10; ++c) diagonal += r.confusion[size_t(c * 11)];
  CHECK(total == 97);
  CHECK(r.accuracy == Approx(diagonal / 97.0));
  for (int c = 0; c < 10; ++c) {
    int row = 0;
    for (int p = 0; p < 10; ++p) row += r.confusion[size_t(c * 10 + p)];
    INFO("class " << c);
    CHECK(r.per_class[size_t(c)] == Approx(double(r.confusion[size_t(c * 11)]) / row));
  }
  std::vector<uint32_t> wrong;
  for (int i = 0; i < 97; ++i) {
    if (r.predicted[size_t(i)] != test.labels[size_t(i)]) wrong.push_back(uint32_t(i));
    // predicted is the argmax of the model's own logits for that sample
    const uint32_t idx = uint32_t(i);
    std::vector<float> x(kImagePixels);
    to_float(test, &idx, 1, x.data());
    CHECK(int(r.predicted[size_t(i)]) == argmax(net->forward(x.data(), 1, false), 10));
  }
  CHECK(r.misclassified == wrong);
  CHECK(r.accuracy == Approx(1.0 - double(wrong.size()) / 97));
  CHECK(r.loss > 0);

  const EvalResult first = evaluate(*net, test, 30);
  CHECK(first.count == 30);
  CHECK(std::equal(first.predicted.begin(), first.predicted.end(), r.predicted.begin()));

  // A transform sees every image: blanking them makes every prediction the same.
  int seen = 0;
  const EvalResult blank = evaluate(*net, test, 0, 25, [&](float* img) {
    ++seen;
    std::fill(img, img + kImagePixels, 0.0f);
  });
  CHECK(seen == 97);
  for (uint8_t p : blank.predicted) CHECK(p == blank.predicted[0]);

  const std::string json = r.to_json();
  for (const char* key : {"\"count\":97", "\"loss\":", "\"accuracy\":", "\"confusion\":[", "\"per_class\":[",
                          "\"misclassified\":["})
    CHECK_THAT(json, Contains(key));
  CHECK_THROWS_WITH(evaluate(*net, Dataset{}), Contains("evaluation set is empty"));
}

TEST_CASE("trainer: divergence stops the run and keeps the last good weights", "[trainer]") {
  // Learning rate 10: plain SGD on a ReLU stack, and Adam on a stack with no
  // nonlinearity to saturate, both blow up within a few steps. Adam at rate 1 on
  // a ReLU stack stays finite but its loss explodes: the loss bound catches it.
  struct Case {
    const char* spec;
    const char* optimizer;
    float lr;
  };
  const Dataset data = blob_dataset(200, 8);
  for (const Case& c : {Case{"dense(64)-relu-dense(64)-relu-dense(10)", "sgd", 10.0f},
                        Case{"dense(64)-dense(64)-dense(10)", "adam", 10.0f},
                        Case{"dense(64)-relu-dense(64)-relu-dense(10)", "adam", 1.0f}}) {
    auto net = build_network(c.spec, 3);
    TrainConfig cfg = quick_config(20, 16, c.lr);
    cfg.optimizer.kind = c.optimizer;
    cfg.optimizer.momentum = 0.0f;
    cfg.schedule = "constant";
    Trainer t(*net, data, cfg);
    // on_batch runs after each applied update: the last one it sees is the last good step.
    std::vector<float> last_good(net->params(), net->params() + net->param_count());
    long last_step = 0;
    while (!t.finished())
      t.step(1000, [&](const Progress& p) {
        last_good.assign(net->params(), net->params() + net->param_count());
        last_step = p.step;
      });
    const Progress& p = t.progress();
    INFO(c.spec << " with " << c.optimizer << ": step " << p.step << ", " << p.message);
    CHECK(p.diverged);
    CHECK(p.finished);
    CHECK(p.step < p.total_steps);
    CHECK(p.step == last_step);
    CHECK_THAT(p.message,
               Contains("diverged at step " + std::to_string(p.step + 1)) && Contains("learning rate"));
    for (size_t i = 0; i < net->param_count(); ++i)
      if (!std::isfinite(net->params()[i])) FAIL("parameter " << i << " is " << net->params()[i]);
    CHECK(std::equal(last_good.begin(), last_good.end(), net->params()));
    // A diverged run is over: stepping again changes nothing.
    t.step(5);
    CHECK(p.step == last_step);
  }
}

TEST_CASE("trainer: weight decay and the optimizer leave batch norm's running statistics alone",
          "[trainer][bn]") {
  // One step each of two runs from the same weights, with and without strong
  // weight decay, under Adam and SGD: the step's forward moves the running
  // statistics the same way in both (they are state, outside the arena the
  // optimizer walks); only the trained parameters differ. With the statistics
  // in the parameter arena, the decayed run's were shrunk too.
  const Dataset data = blob_dataset(64, 9);
  const std::string spec = "conv(4,3)-bn-relu-pool(2)-flatten-dense(16)-bn-relu-dense(10)";
  for (const char* kind : {"adam", "sgd"}) {
    INFO(kind);
    auto plain = build_network(spec, 1), decayed = build_network(spec, 1);
    const std::vector<float> initial(plain->state(), plain->state() + plain->state_count());
    TrainConfig cfg = quick_config(1, 32, 0.05f);
    cfg.optimizer.kind = kind;
    Trainer(*plain, data, cfg).step(1);
    cfg.optimizer.weight_decay = 0.5f;
    Trainer(*decayed, data, cfg).step(1);
    REQUIRE(plain->state_count() == 2 * (4 + 16));
    CHECK(std::vector<float>(plain->state(), plain->state() + plain->state_count()) != initial);  // moved
    CHECK(std::equal(plain->state(), plain->state() + plain->state_count(), decayed->state()));
    CHECK_FALSE(std::equal(plain->params(), plain->params() + plain->param_count(), decayed->params()));
  }
}
