// Fine-tuning on a user's few digits of a style the model misreads: the style is
// learned, and the replayed training digits keep the rest from being forgotten.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>

#include "nn/model/spec.h"
#include "nn/session.h"
#include "nn/train/finetune.h"
#include "nn/train/loss.h"
#include "nn/util/check.h"
#include "support/fixtures.h"

using namespace mnist;
using namespace mnist::test;
using Catch::Contains;

namespace {

// The "user's style" of a 7: a blob at the place of a 2 (blob_dataset's grid) with a
// bar down the left edge. A model trained on blobs reads it as a 2.
Dataset barred_sevens(int count, uint64_t seed) {
  Dataset ds = blob_dataset(count * kClasses, seed);
  Dataset out;
  for (int s = 0; s < ds.count && out.count < count; ++s) {
    if (ds.labels[size_t(s)] != 2) continue;
    std::vector<uint8_t> img(ds.image(s), ds.image(s) + kImagePixels);
    for (int y = 3; y < 25; ++y) img[size_t(y * kImageSide + 1)] = img[size_t(y * kImageSide + 2)] = 255;
    out.images.insert(out.images.end(), img.begin(), img.end());
    out.labels.push_back(7);
    ++out.count;
  }
  return out;
}

void load(Session& s, const std::string& split, const Dataset& ds) {
  const IdxPair f = to_idx(ds);
  s.load_data(split, f.images.data(), f.images.size(), f.labels.data(), f.labels.size());
}

// Share of `ds` the session's model reads as its labels.
double accuracy(Session& s, const Dataset& ds) {
  int right = 0;
  std::vector<float> x(kImagePixels);
  for (int i = 0; i < ds.count; ++i) {
    std::transform(ds.image(i), ds.image(i) + kImagePixels, x.begin(), [](uint8_t v) { return v / 255.0f; });
    right += argmax(s.predict(x.data()), kClasses) == ds.labels[size_t(i)];
  }
  return double(right) / ds.count;
}

void run_to_end(Session& s) {
  while (!s.train(50).finished) {
  }
}

}  // namespace

TEST_CASE("fine-tuning learns a user's style from 5 examples and keeps the rest", "[finetune]") {
  Session s;
  load(s, "train", blob_dataset(3000, 1));
  const Dataset test = blob_dataset(1000, 2);
  load(s, "test", test);
  s.create_model("conv(4,3)-relu-pool(2)-flatten-dense(32)-relu-dense(10)", 1);
  TrainConfig cfg = Session::defaults();
  s.start_training(cfg);
  run_to_end(s);
  const double before = accuracy(s, test);
  REQUIRE(before >= 0.97);
  const Dataset mine = barred_sevens(5, 3), fresh = barred_sevens(50, 4);
  REQUIRE(accuracy(s, fresh) <= 0.1);  // misread as 2s

  s.start_finetune(mine.images.data(), mine.labels.data(), mine.count, FineTuneConfig{});
  run_to_end(s);
  CHECK(accuracy(s, fresh) >= 0.95);  // new drawings in the style are read right
  CHECK(accuracy(s, test) >= before - 0.01);
}

TEST_CASE("finetune_mix: half the user's digits, half distinct training digits", "[finetune]") {
  const Dataset train = blob_dataset(500, 1), mine = barred_sevens(3, 2);
  FineTuneConfig cfg;
  cfg.steps = 10;
  cfg.batch = 8;
  const Dataset mix = finetune_mix(mine, train, cfg);
  REQUIRE(mix.count == 80);
  for (int i = 0; i < 40; ++i) {
    CHECK(std::equal(mix.image(i), mix.image(i) + kImagePixels, mine.image(i % 3)));
    CHECK(mix.labels[size_t(i)] == 7);
  }
  std::vector<int> used;
  for (int i = 40; i < 80; ++i) {
    const auto it = std::find_if(used.begin(), used.end(), [&](int j) {
      return std::equal(mix.image(i), mix.image(i) + kImagePixels, train.image(j));
    });
    CHECK(it == used.end());  // no digit twice
    for (int j = 0; j < train.count; ++j)
      if (std::equal(mix.image(i), mix.image(i) + kImagePixels, train.image(j))) {
        used.push_back(j);
        CHECK(mix.labels[size_t(i)] == train.labels[size_t(j)]);
        break;
      }
  }
  CHECK(used.size() == 40u);
  const TrainConfig t = finetune_train_config(cfg);
  CHECK(t.epochs == 1);
  CHECK(t.augment);
}

TEST_CASE("start_finetune refuses bad digits and settings, keeping the model", "[finetune]") {
  Session s;
  s.create_model("dense(10)", 1);
  const std::vector<uint8_t> img(2 * kImagePixels, 0), labels = {3, 10};
  CHECK_THROWS_WITH(s.start_finetune(img.data(), labels.data(), 1, FineTuneConfig{}),
                    Contains("no training data"));
  load(s, "train", blob_dataset(100, 1));
  CHECK_THROWS_WITH(s.start_finetune(img.data(), labels.data(), 2, FineTuneConfig{}), Contains("label 10"));
  CHECK_THROWS_WITH(s.start_finetune(img.data(), labels.data(), 0, FineTuneConfig{}), Contains("1..10000"));
  FineTuneConfig bad;
  bad.steps = 0;
  CHECK_THROWS_WITH(s.start_finetune(img.data(), labels.data(), 1, bad), Contains("steps"));
  CHECK(s.has_model());
}
