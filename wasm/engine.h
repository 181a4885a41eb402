#pragma once
// Conversions between JS and the core's Session, kept out of bindings.cpp.
// Training settings and progress cross as value_objects (TrainConfig,
// TrainProgress: plain JS objects, registered field by field in bindings.cpp).
// Every method catches the core's errors and parks the message; the JS wrapper
// (web/src/engine/core.js) checks takeError() after each call and throws a real
// JS Error. That keeps C++ exceptions from ever unwinding through JS frames, and
// the module stays usable after any bad input.
#include <emscripten/val.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "nn/data/idx.h"
#include "nn/model/serialize.h"
#include "nn/session.h"
#include "nn/util/check.h"
#include "nn/util/parallel.h"

namespace mnist::wasm {

using emscripten::val;

// TrainConfig's fields that are not plain members, as the JS object has them:
// flat (optimizer and weight_decay live in cfg.optimizer) and the seed as a
// uint32 (a JS number; the CLI's and the page's seeds are at most 2^31 - 1).
struct TrainConfigFields {
  static std::string optimizer(const TrainConfig& c) { return c.optimizer.kind; }
  static void set_optimizer(TrainConfig& c, std::string kind) { c.optimizer.kind = std::move(kind); }
  static float weight_decay(const TrainConfig& c) { return c.optimizer.weight_decay; }
  static void set_weight_decay(TrainConfig& c, float wd) { c.optimizer.weight_decay = wd; }
  static uint32_t seed(const TrainConfig& c) { return uint32_t(c.seed); }
  static void set_seed(TrainConfig& c, uint32_t seed) { c.seed = seed; }
};

class Engine {
 public:
  std::string createModel(const std::string& model, uint32_t seed) {
    return guard_str([&] { return s_.create_model(model, seed); });
  }
  std::string modelInfo() {
    return guard_str([&] { return s_.model_info(); });
  }
  static std::string describe(const std::string& model) { return Session::describe(model); }
  static std::string describeWeights(const val& bytes) {
    const auto b = bytes_from(bytes);
    return Session::describe_weights(b.data(), b.size());
  }
  static std::string describeFor(const std::string& model, int batch) {
    return Session::describe(model, batch);
  }
  static std::string presets() { return Session::presets_json(); }
  // The largest weights file the core reads (nn/model/serialize.h), so the page
  // can refuse a larger file before it reads it into memory.
  static double maxWeightsBytes() { return double(kMaxWeightsFileBytes); }

  // Threads for the large matrix products (process-wide): at most the pthread
  // pool plus this thread (a thread beyond the pool could not start until the
  // worker yields); always 1 in the single-thread build. Returns threads().
  static int setThreads(int n) {
    const val pool = val::module_property("mnistPool");
    const int most = pool.isNumber() ? pool.as<int>() + 1 : 1;
    set_threads(std::max(1, std::min(n, most)));
    return mnist::threads();
  }
  static int threads() { return mnist::threads(); }
  // Whether this build fuses its multiply-adds (relaxed SIMD, build/wasm-fma).
  static bool fma() {
#if defined(MNIST_RELAXED_FMA)
    return true;
#else
    return false;
#endif
  }

  // The settings of a run where the page asks for nothing else (Session::defaults).
  static TrainConfig defaults() { return Session::defaults(); }

  void loadData(const std::string& split, const val& images, const val& labels) {
    guard([&] {
      const auto im = bytes_from(images), lb = bytes_from(labels);
      s_.load_data(split, im.data(), im.size(), lb.data(), lb.size());
    });
  }
  // A split as it downloads, each file written straight into the core (Session::stage): the
  // size of a file its first bytes declare (0: too few bytes yet; rank 3 images, 1 labels),
  // room for it, each piece at its offset, then the split loaded from what was written.
  double idxFileSize(const val& head, int rank, const std::string& what) {
    double size = 0;
    guard([&] {
      const auto b = bytes_from(head);
      size = double(mnist::idx_file_size(b.data(), b.size(), rank, what));
    });
    return size;
  }
  void stage(const std::string& split, const std::string& file, double size) {
    guard([&] {
      check(size >= 0 && size == std::floor(size), "a staged file's size must be a whole number of bytes");
      s_.stage(split, file, size_t(size));
    });
  }
  void writeStaged(const std::string& split, const std::string& file, double offset, const val& bytes) {
    guard([&] {
      check(bytes.instanceof (val::global("Uint8Array")), "expected a Uint8Array");
      check(offset >= 0 && offset == std::floor(offset), "a write's offset must be a whole number of bytes");
      const size_t n = bytes["length"].as<size_t>();
      // The heap's view is made here, after any growth: the bytes go in with one copy.
      bytes_view(s_.staged(split, file, size_t(offset), n), n).call<void>("set", bytes);
    });
  }
  void loadStaged(const std::string& split, double images_size, double labels_size) {
    guard([&] {
      check(images_size >= 0 && labels_size >= 0, "a staged file's size cannot be negative");
      s_.load_staged(split, size_t(images_size), size_t(labels_size));
    });
  }
  void unstage(const std::string& split) {
    guard([&] { s_.unstage(split); });
  }
  int count(const std::string& split) {
    int n = 0;
    guard([&] { n = s_.count(split); });
    return n;
  }
  // Uint8Array(784) view: sample i of a split. Uint8Array(count) view: its labels.
  val image(const std::string& split, int i) {
    return guard_view([&] { return bytes_view(s_.image(split, i), kImagePixels); });
  }
  val labels(const std::string& split) {
    return guard_view([&] { return bytes_view(s_.labels(split), size_t(s_.count(split))); });
  }

  void startTraining(const TrainConfig& cfg) {
    guard([&] { s_.start_training(cfg); });
  }
  // A fresh model and a run on it in one step; a refused start keeps the model in place.
  std::string startNewTraining(const std::string& model, const TrainConfig& cfg) {
    return guard_str([&] { return s_.start_new_training(model, cfg); });
  }
  TrainProgress train(int batches) {
    TrainProgress p;
    guard([&] { p = s_.train(batches); });
    return p;
  }
  void setLearningRate(float lr) {
    guard([&] { s_.set_lr(lr); });
  }
  std::string evaluate(int limit, const std::string& split, bool with_predictions) {
    return guard_str([&] { return s_.evaluate(limit, split, with_predictions); });
  }

  // Views into the wasm heap: valid until the next call; copy (slice) before keeping.
  val predict(const val& image) {
    return guard_view([&] {
      const auto px = floats_from(image);
      check(px.size() == 784, "predict needs 784 pixels, got ", px.size());
      return view(s_.predict(px.data()), 10);
    });
  }
  val predictDrawing(const val& pixels, int width, int height) {
    return guard_view([&] {
      const auto px = floats_from(pixels);
      check_drawing_size(px, width, height);
      return view(s_.predict_drawing(px.data(), width, height), 10);
    });
  }
  val predictSample(const std::string& split, int i) {
    return guard_view([&] { return view(s_.predict_sample(split, i), 10); });
  }
  val input() { return view(s_.last_input(), 784); }
  val activation(int layer) {
    return guard_view([&] { return view(s_.activation(layer), size_t(s_.activation_size(layer))); });
  }
  // --- the Draw view's experiments (Session); images are Float32Array(784) in [0, 1] ---

  // Probabilities view; input() then holds the prepared 28x28 image.
  val prepare(const val& pixels, int width, int height, bool centre, float dx, float dy, float angle,
              int thickness) {
    return guard_view([&] {
      const auto px = floats_from(pixels);
      check_drawing_size(px, width, height);
      return view(s_.prepare(px.data(), width, height, centre, dx, dy, angle, thickness), 10);
    });
  }
  // (values.length * 10) view: the image moved by each value along axis, predicted.
  val sweep(const val& image, const std::string& axis, const val& values) {
    return guard_view([&] {
      const auto im = image_from(image);
      const auto v = floats_from(values);
      return view(s_.sweep(im.data(), axis, v.data(), int(v.size())), v.size() * 10);
    });
  }
  val inputGradient(const val& image, int cls) {
    return guard_view([&] {
      const auto im = image_from(image);
      return view(s_.input_gradient(im.data(), cls), 784);
    });
  }
  val occlusion(const val& image, int cls, int patch) {
    return guard_view([&] {
      const auto im = image_from(image);
      return view(s_.occlusion(im.data(), cls, patch), 784);
    });
  }
  // {"steps","reached","l1","linf"}; input() then holds the nudged image and probs() its probabilities.
  std::string fool(const val& image, int target, float epsilon, float step, int max_steps) {
    return guard_str([&] {
      const auto im = image_from(image);
      return s_.fool(im.data(), target, mnist::FoolSettings{epsilon, step, max_steps});
    });
  }
  val probs() { return view(s_.last_probs(), 10); }
  // {"loss","probs","layers":[{"output","output_grad","grad","change"}: [offset, length] into trace()]}
  std::string stepTrace(const val& image, int label, float lr) {
    return guard_str([&] {
      const auto im = image_from(image);
      return s_.step_trace(im.data(), label, lr);
    });
  }
  val trace() { return view(s_.trace(), s_.trace_size()); }
  // A fine-tuning run on the current model; then train() runs it. 0 for a setting: the core's default.
  void startFinetune(const val& images, const val& labels, int steps, int batch, float lr, uint32_t seed) {
    guard([&] {
      const auto im = bytes_from(images), lb = bytes_from(labels);
      check(!lb.empty() && im.size() == lb.size() * 784, "fine-tuning needs 784 pixels per label, got ",
            im.size(), " pixels for ", lb.size(), " labels");
      mnist::FineTuneConfig cfg;
      if (steps > 0) cfg.steps = steps;
      if (batch > 0) cfg.batch = batch;
      if (lr > 0) cfg.lr = lr;
      if (seed > 0) cfg.seed = seed;
      s_.start_finetune(im.data(), lb.data(), int(lb.size()), cfg);
    });
  }
  // An IDX image file and label file -> {count, images: Uint8Array(count*784), labels: Uint8Array(count)},
  // views valid until the next readIdx.
  val readIdx(const val& images, const val& labels) {
    return guard_view([&] {
      const auto im = bytes_from(images), lb = bytes_from(labels);
      digits_ = Session::read_idx(im.data(), im.size(), lb.data(), lb.size());
      val out = val::object();
      out.set("count", digits_.count);
      out.set("images", bytes_view(digits_.images.data(), digits_.images.size()));
      out.set("labels", bytes_view(digits_.labels.data(), digits_.labels.size()));
      return out;
    });
  }

  val params() {
    return guard_view([&] { return view(s_.params(), s_.param_count()); });
  }
  val exportWeights(bool half) {
    return guard_view([&] {
      export_ = s_.export_weights(half);
      return val(emscripten::typed_memory_view(export_.size(), export_.data()));
    });
  }
  std::string importWeights(const val& bytes) {
    return guard_str([&] {
      const auto b = bytes_from(bytes);
      return s_.import_weights(b.data(), b.size());
    });
  }

  std::string takeError() {
    std::string e;
    e.swap(error_);
    return e;
  }

 private:
  static std::vector<uint8_t> bytes_from(const val& v) {
    check(v.instanceof (val::global("Uint8Array")), "expected a Uint8Array");
    return emscripten::convertJSArrayToNumberVector<uint8_t>(v);
  }
  static std::vector<float> floats_from(const val& v) {
    check(v.instanceof (val::global("Float32Array")), "expected a Float32Array");
    return emscripten::convertJSArrayToNumberVector<float>(v);
  }
  static std::vector<float> image_from(const val& v) {
    auto px = floats_from(v);
    check(px.size() == 784, "an image needs 784 pixels, got ", px.size());
    return px;
  }
  static void check_drawing_size(const std::vector<float>& px, int width, int height) {
    check(width > 0 && height > 0 && px.size() == size_t(width) * size_t(height), "drawing has ", px.size(),
          " pixels, expected ", width, "x", height);
  }
  static val view(const float* p, size_t n) { return val(emscripten::typed_memory_view(n, p)); }
  static val bytes_view(const uint8_t* p, size_t n) { return val(emscripten::typed_memory_view(n, p)); }
  template <typename F>
  void guard(F&& f) {
    try {
      f();
    } catch (const std::bad_alloc&) {
      error_ = "out of memory";
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }
  template <typename F>
  std::string guard_str(F&& f) {
    std::string out;
    guard([&] { out = f(); });
    return out;
  }
  template <typename F>
  val guard_view(F&& f) {
    val out = val::null();
    guard([&] { out = f(); });
    return out;
  }

  Session s_;
  std::vector<uint8_t> export_;
  mnist::Dataset digits_;  // readIdx's
  std::string error_;
};

}  // namespace mnist::wasm
