// The facade the browser drives: every call either does its job or throws and
// leaves the session as it was.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "nn/data/idx.h"
#include "nn/model/spec.h"
#include "nn/session.h"
#include "nn/util/check.h"
#include "support/fixtures.h"

using namespace mnist;
using namespace mnist::test;
using Catch::Contains;
using Catch::StartsWith;

namespace {

void load(Session& s, const std::string& split, const Dataset& ds) {
  const IdxPair f = to_idx(ds);
  s.load_data(split, f.images.data(), f.images.size(), f.labels.data(), f.labels.size());
}

std::vector<float> probs_of(Session& s, const std::vector<float>& image) {
  const float* p = s.predict(image.data());
  return std::vector<float>(p, p + kClasses);
}

std::vector<float> test_image() {
  std::vector<float> img(kImagePixels);
  for (int i = 0; i < kImagePixels; ++i) img[size_t(i)] = float((i * 37) % 101) / 100.0f;
  return img;
}

std::vector<float> params_of(Session& s) {
  return std::vector<float>(s.params(), s.params() + s.param_count());
}

// The page's defaults with a run's length and batch.
TrainConfig settings(int epochs, int batch) {
  TrainConfig t = Session::defaults();
  t.epochs = epochs;
  t.batch = batch;
  return t;
}

}  // namespace

TEST_CASE("session: create_model from a preset or a spec", "[session]") {
  Session s;
  CHECK_FALSE(s.has_model());
  CHECK_THROWS_WITH(s.model_info(), Contains("no model yet"));
  CHECK_THROWS_WITH(s.predict(test_image().data()), Contains("no model yet"));

  const std::string mlp = s.create_model("mlp-128", 1);
  CHECK(s.has_model());
  CHECK_THAT(mlp, Contains("\"spec\":\"dense(128)-relu-dense(10)\"") && Contains("\"params\":101770"));

  // conv(2,3) 20 params -> 2x26x26; relu; pool -> 2x13x13; dense 338*10+10 = 3390 at offset 20
  const std::string info = s.create_model(" conv(2,3)-relu-pool(2)-dense(10) ", 1);
  CHECK(s.param_count() == 3410);
  CHECK_THAT(info, Contains("\"spec\":\"conv(2,3)-relu-pool(2)-dense(10)\""));
  CHECK_THAT(
      info,
      Contains(
          R"j({"token":"conv(2,3)","kind":"conv","shape":[2,26,26],"flat":false,"window":3,"params":20,"offset":0,)j"
          R"j("state":0,"spatial":true,"filters":2,"kernel":3,"stride":1,"padding":"valid"})j"));
  CHECK_THAT(
      info,
      Contains(
          R"j({"token":"pool(2)","kind":"pool","shape":[2,13,13],"flat":false,"window":2,"params":0,"offset":20,)j"
          R"j("state":0,"spatial":true,"stride":2,"pooling":"max"})j"));
  CHECK_THAT(
      info,
      Contains(
          R"j({"token":"dense(10)","kind":"dense","shape":[10,1,1],"flat":true,"window":0,"params":3390,"offset":20,)j"
          R"j("state":0,"spatial":false,"units":10})j"));
  CHECK(s.model_info() == info);

  // The same seed gives the same weights; another seed others.
  const std::vector<float> a = params_of(s);
  s.create_model("conv(2,3)-relu-pool(2)-dense(10)", 1);
  CHECK(params_of(s) == a);
  s.create_model("conv(2,3)-relu-pool(2)-dense(10)", 2);
  CHECK(params_of(s) != a);
}

TEST_CASE("session: a bad model keeps the previous one", "[session]") {
  Session s;
  s.create_model("mlp-32", 5);
  const std::vector<float> before = params_of(s);
  const std::vector<float> p = probs_of(s, test_image());
  CHECK_THROWS_WITH(s.create_model("dense(10)--relu", 1), Contains("empty token"));
  CHECK_THROWS_WITH(s.create_model("resnet", 1), Contains("unknown model 'resnet'"));
  CHECK_THROWS_WITH(s.create_model("dense(12)", 1), Contains("10 outputs"));
  REQUIRE(s.has_model());
  CHECK_THAT(s.model_info(), Contains("\"spec\":\"dense(32)-relu-dense(10)\""));
  CHECK(params_of(s) == before);
  CHECK(probs_of(s, test_image()) == p);
}

TEST_CASE("session: bad data keeps the previous data", "[session]") {
  Session s;
  load(s, "train", blob_dataset(30, 1));
  load(s, "test", blob_dataset(20, 2));
  CHECK(s.count("train") == 30);
  CHECK(s.count("test") == 20);

  const IdxPair f = to_idx(blob_dataset(10, 3));
  const std::vector<uint8_t> cut(f.images.begin(), f.images.end() - 1);
  CHECK_THROWS_WITH(s.load_data("train", cut.data(), cut.size(), f.labels.data(), f.labels.size()),
                    Contains("train images") && Contains("truncated"));
  CHECK_THROWS_WITH(s.load_data("test", f.labels.data(), f.labels.size(), f.labels.data(), f.labels.size()),
                    Contains("test images"));
  CHECK_THROWS_WITH(
      s.load_data("validation", f.images.data(), f.images.size(), f.labels.data(), f.labels.size()),
      Contains("unknown data split 'validation'"));
  CHECK_THROWS_WITH(s.count("dev"), Contains("unknown data split"));
  CHECK(s.count("train") == 30);
  CHECK(s.count("test") == 20);
}

TEST_CASE("session: a split staged piece by piece loads as load_data loads it", "[session]") {
  const IdxPair f = to_idx(blob_dataset(12, 4));
  // Writes a file into its staged room in pieces of `piece` bytes, as a download arrives.
  auto write = [](Session& s, const std::string& file, const std::vector<uint8_t>& bytes, size_t piece) {
    for (size_t at = 0; at < bytes.size(); at += piece) {
      const size_t n = std::min(piece, bytes.size() - at);
      std::copy_n(bytes.data() + at, n, s.staged("train", file, at, n));
    }
  };
  Session direct, staged;
  direct.load_data("train", f.images.data(), f.images.size(), f.labels.data(), f.labels.size());
  staged.stage("train", "images", f.images.size());
  staged.stage("train", "labels", f.labels.size());
  write(staged, "images", f.images, 1000);
  write(staged, "labels", f.labels, 5);
  staged.load_staged("train", f.images.size(), f.labels.size());
  REQUIRE(staged.count("train") == 12);
  CHECK(std::equal(staged.image("train", 0), staged.image("train", 0) + 12 * kImagePixels,
                   direct.image("train", 0)));
  CHECK(std::equal(staged.labels("train"), staged.labels("train") + 12, direct.labels("train")));
  // The room is gone once loaded.
  CHECK_THROWS_WITH(staged.staged("train", "images", 0, 1), Contains("longer than the 0 bytes"));

  // A file cut short, or one longer than its header, is refused and the loaded split stays.
  staged.stage("train", "images", f.images.size());
  staged.stage("train", "labels", f.labels.size());
  CHECK_THROWS_WITH(
      staged.staged("train", "images", f.images.size() - 2, 3),
      Contains("train images: the file is longer than the ") && Contains(" bytes its header declares"));
  write(staged, "images", std::vector<uint8_t>(f.images.begin(), f.images.end() - 1), 4096);
  write(staged, "labels", f.labels, 4096);
  CHECK_THROWS_WITH(staged.load_staged("train", f.images.size() - 1, f.labels.size()),
                    Contains("train images") && Contains("truncated"));
  CHECK(staged.count("train") == 12);
  CHECK_THROWS_WITH(staged.staged("train", "labels", 0, 1), Contains("longer than the 0 bytes"));
  CHECK_THROWS_WITH(staged.load_staged("train", 1, 0), Contains("more bytes loaded than were staged"));

  // unstage lets the room go; names and sizes are checked.
  staged.stage("test", "labels", 64);
  staged.unstage("test");
  CHECK_THROWS_WITH(staged.staged("test", "labels", 0, 1), Contains("longer than the 0 bytes"));
  CHECK_THROWS_WITH(staged.stage("dev", "images", 16), Contains("unknown data split 'dev'"));
  CHECK_THROWS_WITH(staged.stage("test", "pixels", 16), Contains("unknown data file 'pixels'"));
  CHECK_THROWS_WITH(staged.stage("test", "images", kMaxIdxBytes + 1), Contains("more than the 1073741824"));
  CHECK(staged.count("test") == 0);
}

TEST_CASE("session: train reports progress, evaluate JSON", "[session]") {
  Session s;
  s.create_model("dense(16)-relu-dense(10)", 1);
  TrainConfig cfg = settings(2, 10);
  cfg.lr = 5e-3f;
  CHECK_THROWS_WITH(s.start_training(cfg), Contains("no training data"));
  CHECK_THROWS_WITH(s.train(1), Contains("no training run"));
  CHECK_THROWS_WITH(s.set_lr(0.01f), Contains("no training run"));
  CHECK_THROWS_WITH(s.evaluate(0), Contains("no test data"));
  load(s, "train", blob_dataset(40, 1));
  load(s, "test", blob_dataset(20, 2));
  s.start_training(cfg);
  CHECK_THROWS_WITH(s.train(0), Contains("batches per call must be 1..100000"));

  const TrainProgress p = s.train(3);
  CHECK(p.epoch == 1);
  CHECK(p.epochs == 2);
  CHECK(p.batch == 3);
  CHECK(p.batches_per_epoch == 4);
  CHECK(p.step == 3);
  CHECK(p.total_steps == 8);
  CHECK((p.loss > 0 && std::isfinite(p.loss)));
  CHECK((p.accuracy >= 0 && p.accuracy <= 1));
  CHECK(p.samples_per_second >= 0);
  CHECK(p.lr > 0);
  CHECK_FALSE((p.epoch_done || p.finished || p.diverged));
  CHECK(p.diverged_step == 0);
  CHECK(p.message.empty());
  s.set_lr(0.02f);
  const TrainProgress end1 = s.train(100);
  CHECK((end1.step == 4 && end1.epoch_done));
  CHECK(end1.lr == 0.02f);
  const TrainProgress end2 = s.train(100);
  CHECK((end2.step == 8 && end2.finished));

  const std::string eval = s.evaluate(15);
  for (const char* key : {"\"count\":15,", "\"loss\":", "\"accuracy\":", "\"confusion\":[", "\"per_class\":[",
                          "\"misclassified\":["})
    CHECK_THAT(eval, Contains(key));
  CHECK_THAT(s.evaluate(0), Contains("\"count\":20,"));

  // New training data ends the run, whose trainer held the old set.
  load(s, "train", blob_dataset(20, 3));
  CHECK_THROWS_WITH(s.train(1), Contains("no training run"));
  // So does a new model.
  s.start_training(cfg);
  s.create_model("dense(10)", 1);
  CHECK_THROWS_WITH(s.train(1), Contains("no training run"));
}

TEST_CASE("session: the page's default settings, and a diverged run's step and loss as numbers",
          "[session]") {
  // The core's defaults but for the four a short run in the page changes.
  const TrainConfig d = Session::defaults();
  const TrainConfig core;
  CHECK(d.epochs == 1);
  CHECK(d.batch == 64);
  CHECK(d.lr == 3e-3f);
  CHECK(d.schedule == "onecycle");
  CHECK(d.optimizer.kind == core.optimizer.kind);
  CHECK(d.optimizer.weight_decay == core.optimizer.weight_decay);
  CHECK(d.optimizer.momentum == core.optimizer.momentum);
  CHECK(d.augment == core.augment);
  CHECK(d.seed == core.seed);
  CHECK(d.limit == core.limit);
  CHECK_NOTHROW(d.validate());

  // Plain SGD at rate 10 on a ReLU stack blows up within a few steps (as in the trainer's test).
  Session s;
  load(s, "train", blob_dataset(200, 8));
  TrainConfig wild = settings(20, 16);
  wild.optimizer.kind = "sgd";
  wild.schedule = "constant";
  wild.lr = 10.0f;
  s.start_new_training("dense(64)-relu-dense(64)-relu-dense(10)", wild);
  TrainProgress p;
  do p = s.train(1000);
  while (!p.finished);
  REQUIRE(p.diverged);
  CHECK(p.diverged_step == p.step + 1);
  CHECK((!std::isfinite(p.diverged_loss) || p.diverged_loss > 100.0));
  CHECK_THAT(p.message, Contains("diverged at step " + std::to_string(p.diverged_step)));
}

TEST_CASE("session: the data's counts, images and labels, as loaded", "[session]") {
  // Three hand-made 28x28 images: a ramp, a single pixel, all white.
  Dataset ds;
  ds.count = 3;
  ds.images.assign(size_t(3) * kImagePixels, 0);
  for (int i = 0; i < kImagePixels; ++i) ds.images[size_t(i)] = uint8_t(i % 256);
  ds.images[size_t(kImagePixels) + 400] = 200;
  std::fill(ds.images.begin() + 2 * kImagePixels, ds.images.end(), uint8_t(255));
  ds.labels = {7, 0, 9};
  Session s;
  CHECK(s.count("test") == 0);
  CHECK_THROWS_WITH(s.image("test", 0), Contains("no test data loaded"));
  CHECK_THROWS_WITH(s.labels("test"), Contains("no test data loaded"));
  load(s, "test", ds);
  CHECK(s.count("test") == 3);
  CHECK(s.count("train") == 0);
  CHECK(std::equal(ds.images.begin(), ds.images.begin() + kImagePixels, s.image("test", 0)));
  CHECK(s.image("test", 1)[400] == 200);
  CHECK(s.image("test", 2)[783] == 255);
  CHECK(std::vector<uint8_t>(s.labels("test"), s.labels("test") + 3) == ds.labels);
  CHECK_THROWS_WITH(s.image("test", 3), Contains("no test digit 3 (there are 3)"));
  CHECK_THROWS_WITH(s.image("test", -1), Contains("no test digit -1"));
  CHECK_THROWS_WITH(s.image("dev", 0), Contains("unknown data split"));

  // A sample's prediction is the prediction of its pixels as training scales them.
  s.create_model("mlp-32", 2);
  std::vector<float> px(kImagePixels);
  const uint32_t one = 1;
  to_float(ds, &one, 1, px.data());
  CHECK(px[400] == Approx(200.0 / 255.0));
  const std::vector<float> expected = probs_of(s, px);
  const float* q = s.predict_sample("test", 1);
  CHECK(std::vector<float>(q, q + kClasses) == expected);
  CHECK(std::equal(px.begin(), px.end(), s.last_input()));
  CHECK_THROWS_WITH(s.predict_sample("test", 3), Contains("no test digit 3"));
}

TEST_CASE("session: a refused training start keeps the previous model and its run", "[session]") {
  Session s;
  load(s, "train", blob_dataset(40, 1));
  s.create_model("mlp-32", 5);
  const TrainConfig cfg = settings(2, 10);
  s.start_training(cfg);
  s.train(1);
  const std::string info = s.model_info();
  const std::vector<float> before = params_of(s);
  const std::vector<float> p = probs_of(s, test_image());

  TrainConfig bad = cfg;
  bad.lr = float(1e-300);  // 0 as a float
  CHECK_THROWS_WITH(s.start_new_training("dense(16)-relu-dense(10)", bad),
                    Contains("learning rate must be in (0, 10]"));
  bad = cfg;
  bad.optimizer.kind = "rmsprop";
  CHECK_THROWS_WITH(s.start_new_training("tiny-cnn", bad), Contains("rmsprop"));
  bad = cfg;
  bad.limit = -1;
  CHECK_THROWS_WITH(s.start_new_training("mlp", bad), Contains("limit must not be negative"));
  CHECK_THROWS_WITH(s.start_new_training("dense(12)", cfg), Contains("10 outputs"));
  // A run no machine here could hold (each relu's output is 13 GB at batch
  // 4096, about 0.6 TB in all) is refused by its estimate before any of it is
  // allocated.
  bad = cfg;
  bad.batch = 4096;
  std::string huge = "conv(1024,1,same)";
  for (int i = 0; i < 40; ++i) huge += "-relu";
  CHECK_THROWS_WITH(s.start_new_training(huge + "-flatten-dense(10)", bad),
                    Contains("needs about") && Contains("over the limit"));

  CHECK(s.model_info() == info);
  CHECK(params_of(s) == before);
  CHECK(probs_of(s, test_image()) == p);
  // The run on it goes on where it was.
  CHECK(s.train(1).step == 2);

  // Without training data nothing is built either.
  Session empty;
  empty.create_model("mlp-32", 5);
  const std::string empty_info = empty.model_info();
  CHECK_THROWS_WITH(empty.start_new_training("tiny-cnn", cfg), Contains("no training data"));
  CHECK(empty.model_info() == empty_info);

  // A good start replaces both at once.
  const std::string fresh = s.start_new_training("dense(16)-relu-dense(10)", cfg);
  CHECK_THAT(fresh, Contains("\"spec\":\"dense(16)-relu-dense(10)\""));
  CHECK(s.model_info() == fresh);
  CHECK(s.train(1).step == 1);
}

TEST_CASE("session: predict gives 10 probabilities and layer activations", "[session]") {
  Session s;
  s.create_model("tiny-cnn", 3);
  CHECK_THROWS_WITH(s.activation(0), Contains("no prediction yet"));
  const std::vector<float> p = probs_of(s, test_image());
  double sum = 0;
  for (float v : p) {
    CHECK((v >= 0.0f && v <= 1.0f));
    sum += v;
  }
  CHECK(sum == Approx(1.0).epsilon(1e-5));
  const std::vector<float> image = test_image();
  CHECK(std::equal(image.begin(), image.end(), s.last_input()));
  // tiny-cnn's first layer is conv(4,3,same): 4x28x28
  CHECK(s.activation_size(0) == 4 * 28 * 28);
  CHECK(s.activation_size(7) == 10);
  CHECK_THROWS_WITH(s.activation(8), Contains("no layer 8"));
  CHECK_THROWS_AS(s.activation_size(-1), Error);
  // The last layer's activation is the logits, whose softmax is p.
  const float* logits = s.activation(7);
  for (int k = 1; k < kClasses; ++k)
    CHECK(std::log(p[size_t(k)] / p[0]) == Approx(logits[k] - logits[0]).margin(1e-4));

  std::vector<float> bad = test_image();
  bad[100] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(s.predict(bad.data()), Contains("non-finite pixel at 100"));

  // A drawing goes through preprocessing: its input is the 28x28 image.
  std::vector<float> drawing(100 * 80, 0.0f);
  for (int y = 20; y < 60; ++y)
    for (int x = 30; x < 40; ++x) drawing[size_t(y) * 100 + size_t(x)] = 1.0f;
  const float* q = s.predict_drawing(drawing.data(), 100, 80);
  double qsum = 0;
  for (int k = 0; k < kClasses; ++k) qsum += q[k];
  CHECK(qsum == Approx(1.0).epsilon(1e-5));
  float ink = 0;
  for (int i = 0; i < kImagePixels; ++i) ink += s.last_input()[i];
  CHECK(ink == Approx(20 * 5));  // 10x40 -> 5x20 of full ink
  CHECK_THROWS_AS(s.predict_drawing(drawing.data(), 0, 80), Error);
}

TEST_CASE("session: export and import weights", "[session]") {
  Session a;
  a.create_model("conv(3,3,same)-relu-pool(2)-dense(10)", 11);
  const std::vector<float> pa = probs_of(a, test_image());
  const std::vector<uint8_t> file = a.export_weights(false);

  Session b;
  b.create_model("mlp-32", 1);
  const std::string info = b.import_weights(file.data(), file.size());
  CHECK_THAT(info, Contains("\"spec\":\"conv(3,3,same)-relu-pool(2)-dense(10)\""));
  CHECK(params_of(b) == params_of(a));
  CHECK(probs_of(b, test_image()) == pa);

  // Half precision: the same predictions to about three digits.
  const std::vector<uint8_t> half = a.export_weights(true);
  CHECK(half.size() < file.size());
  Session c;
  c.import_weights(half.data(), half.size());
  const std::vector<float> pc = probs_of(c, test_image());
  for (int k = 0; k < kClasses; ++k) CHECK(pc[size_t(k)] == Approx(pa[size_t(k)]).margin(2e-3));

  // A corrupt file is refused and the model in place stays.
  std::vector<uint8_t> bad = file;
  bad[bad.size() / 2] ^= 0x10;
  CHECK_THROWS_WITH(b.import_weights(bad.data(), bad.size()), Contains("checksum mismatch"));
  CHECK_THROWS_WITH(b.import_weights(file.data(), 10), Contains("truncated"));
  CHECK(probs_of(b, test_image()) == pa);
  CHECK_THAT(b.model_info(), Contains("conv(3,3,same)"));

  // describe_weights reads a file without building its model: the same answer as describe()
  // of its spec, or what is wrong with the file.
  CHECK(Session::describe_weights(file.data(), file.size()) ==
        Session::describe("conv(3,3,same)-relu-pool(2)-dense(10)"));
  CHECK_THAT(Session::describe_weights(half.data(), half.size()), Contains("\"spatial\":true"));
  CHECK(Session::describe_weights(bad.data(), bad.size()) ==
        R"j({"ok":false,"error":"weights file is corrupt (checksum mismatch)"})j");
}

TEST_CASE("session: describe validates without keeping anything", "[session]") {
  CHECK_THAT(
      Session::describe("mlp"),
      StartsWith(R"j({"ok":true,"spec":"dense(512)-relu-dense(256)-relu-dense(10)","params":535818,)j"));
  CHECK_THAT(Session::describe(" dense(64) - relu - dense(10) "),
             StartsWith(R"j({"ok":true,"spec":"dense(64)-relu-dense(10)","params":50890,)j"));
  const std::string bad = Session::describe("dense(64)-relu-dense(12)");
  CHECK_THAT(bad, Contains("{\"ok\":false,\"error\":\"") && Contains("10 outputs"));
  CHECK_THAT(Session::describe("resnet"), Contains("\"ok\":false") && Contains("unknown model 'resnet'"));

  const std::string presets = Session::presets_json();
  for (const Preset& p : mnist::presets())
    CHECK_THAT(presets, Contains("\"name\":\"" + p.name + "\",\"spec\":\"" + p.spec + "\""));
  CHECK_THAT(
      presets,
      Contains(
          "\"params\":4266,\"spatial\":true,\"recipe\":{\"epochs\":15,\"batch\":64,\"optimizer\":\"adam\""));
  // Each preset says, as describe does, whether it is a conv net (the page's CNN slot).
  for (const Preset& p : mnist::presets()) {
    const bool spatial = Contains("\"spatial\":true").match(Session::describe(p.name));
    CHECK_THAT(presets, Contains("\"params\":" + std::to_string(count_params(p.spec)) +
                                 ",\"spatial\":" + (spatial ? "true" : "false") + ","));
  }
  CHECK_THAT(presets, Contains("\"params\":535818,\"spatial\":false,"));  // mlp
  CHECK_THAT(presets, Contains("\"params\":225034,\"spatial\":true,"));   // cnn
}

TEST_CASE("session: training on a limited subset and evaluating either split", "[session]") {
  Session s;
  const Dataset data = blob_dataset(200, 11);
  load(s, "train", data);
  load(s, "test", blob_dataset(50, 12));
  s.create_model("dense(16)-relu-dense(10)", 3);
  TrainConfig cfg = settings(1, 10);
  cfg.limit = 60;
  s.start_training(cfg);
  const TrainProgress p = s.train(1000);
  CHECK(p.batches_per_epoch == 6);  // 60 samples / 10, not 200 / 10
  CHECK(p.finished);
  const std::string train_eval = s.evaluate(0, "train", true);
  CHECK_THAT(train_eval, Contains("\"count\":200"));
  CHECK_THAT(train_eval, Contains("\"predicted\":["));
  CHECK_THAT(s.evaluate(20, "test"), Contains("\"count\":20"));
  CHECK_THAT(s.evaluate(0, "test"), !Contains("predicted"));
  CHECK_THROWS_WITH(s.evaluate(0, "validation"), Contains("unknown data split"));
  cfg.limit = -1;
  CHECK_THROWS_WITH(s.start_training(cfg), Contains("limit"));
}
