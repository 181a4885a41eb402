#pragma once
// The coarse facade the browser drives (through wasm/bindings.cpp) and the CLI
// could: one model, its data, one training run at a time. Training settings and
// progress are plain structs (TrainConfig, TrainProgress: Embind value_objects in
// the browser); other small
// results come back as JSON strings; bulk data (images, labels, probabilities,
// activations, weights) as pointers into memory the session owns, which the
// bindings expose as typed array views. Every method throws mnist::Error on bad
// input and leaves the session as it was.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nn/data/dataset.h"
#include "nn/explain/fool.h"
#include "nn/model/network.h"
#include "nn/train/finetune.h"
#include "nn/train/trainer.h"

namespace mnist {

// What train() reports after each call: the trainer's Progress and the run's length.
struct TrainProgress : Progress {
  int epochs = 0;
};

class Session {
 public:
  // A preset name or a layer spec -> a fresh model. Returns model_info().
  std::string create_model(const std::string& model, uint32_t seed);
  bool has_model() const { return net_ != nullptr; }
  // {"spec","params","spatial","layers":[{"token","kind","shape":[c,h,w],"flat","window","params",
  //   "offset","state","spatial", and where they apply "units" (dense), "filters", "kernel", "stride",
  //   "padding" (conv), "pooling", "stride" (pool, avgpool, gap), "rate" (dropout), "activation" (true for
  //   relu, sigmoid, tanh)}]}
  // params: every stored value (Network::total_count()); a layer's params: its trainable slice of
  // the arena at offset; state: its running statistics. The fields: LayerAttributes (layer.h).
  std::string model_info() const;

  // Validates without keeping anything or allocating the model:
  //   {"ok":true,"spec","params","spatial","batch","bytes","limit"}
  // spatial: a layer with a window (conv, pool, avgpool, gap) reads the image as 1x28x28; bytes:
  // training_bytes() at `batch` (<= 0: the preset's batch, or 128 for a spec);
  // limit: memory_limit(). Over the limit: the same with "ok":false and "error"
  // first; a bad model: {"ok":false,"error"}.
  static std::string describe(const std::string& model, int batch = 0);
  // A weights file image, checked whole (parse_weights) without building its model ->
  // describe() of its spec, or {"ok":false,"error"} saying what is wrong with the file.
  static std::string describe_weights(const uint8_t* bytes, size_t size);
  // [{"name","spec","source","params","spatial","recipe":{...}}] (spatial as in describe)
  static std::string presets_json();

  // The settings of a run in the page, where nothing else is asked for: the
  // core's defaults (TrainConfig), shortened to one epoch at 3e-3 on a one-cycle
  // schedule in batches of 64 (one epoch of cnn reaches ~98.7% this way, natively
  // measured 98.70%; cosine at 1e-3 gave 98.3%).
  static TrainConfig defaults();

  // split: "train" | "test". The bytes of an IDX image file and label file.
  void load_data(const std::string& split, const uint8_t* images, size_t images_size, const uint8_t* labels,
                 size_t labels_size);
  // The page loads a split without holding a file twice: stage() makes room for its image or
  // label file (`file` "images" | "labels"; `size` the whole IDX file, as idx_file_size reads it
  // from the header); staged() is the room's bytes [offset, offset + n), written as the file
  // arrives; load_staged() loads the first images_size and labels_size bytes of the two, checked
  // as load_data checks them, and lets the room go (on an error too); unstage() lets it go unloaded.
  void stage(const std::string& split, const std::string& file, size_t size);
  uint8_t* staged(const std::string& split, const std::string& file, size_t offset, size_t n);
  void load_staged(const std::string& split, size_t images_size, size_t labels_size);
  void unstage(const std::string& split);
  // Samples in a split (0 until it is loaded).
  int count(const std::string& split) const;
  // Sample i of a split: (28, 28) bytes; all labels of a split: (count()). Valid
  // until the split is loaded again.
  const uint8_t* image(const std::string& split, int i) const;
  const uint8_t* labels(const std::string& split) const;

  // Starts a training run (replacing any current one) on the current model and
  // the training set.
  void start_training(const TrainConfig& cfg);
  // A fresh model (preset or spec, as create_model, its weights drawn from the
  // config's seed) and a training run on it, as one step: the settings, the spec
  // and the data are all checked, and the model and its trainer built, before
  // anything is replaced, so a refused start keeps the previous model (and any
  // run on it) exactly as it was. Returns model_info().
  std::string start_new_training(const std::string& model, const TrainConfig& cfg);
  // Runs up to n batches (stops at an epoch's end).
  TrainProgress train(int n_batches);
  // The running run's learning rate from its next batch on (Trainer::set_lr).
  void set_lr(float lr);
  // On a split ("test" or "train"; first `limit` samples if limit > 0):
  // EvalResult::to_json(), with "predicted" (every sample's class) if asked. A model
  // whose run's recipe has test shifts (TrainConfig::test_shifts) is evaluated with them.
  std::string evaluate(int limit, const std::string& split = "test", bool with_predictions = false);

  // One 28x28 image in [0, 1] -> 10 probabilities (pointer valid until the next call).
  const float* predict(const float* image);
  // A drawing (height, width) -> preprocessed input, then predict.
  const float* predict_drawing(const float* pixels, int width, int height);
  // Sample i of a split -> predict (its pixels scaled to [0, 1] as in training).
  const float* predict_sample(const std::string& split, int i);
  const float* last_input() const { return input_.data(); }  // (784)
  // Output of layer i for the last prediction: (layer i out shape)
  const float* activation(int layer) const;
  int activation_size(int layer) const;

  // --- the Draw view's experiments, on the current model. Images are (784) in [0, 1]. ---

  // A drawing (height, width) -> the 28x28 input: MNIST's preprocessing if `centre`
  // (preprocess_drawing), else the whole drawing scaled (scale_drawing); then moved by
  // transform_image (shift dx, dy px, rotate `degrees`, thickness steps -2..2). Predicts
  // it: returns the probabilities, last_input() holds the image.
  const float* prepare(const float* pixels, int width, int height, bool centre, float dx, float dy,
                       float degrees, int thickness);
  // The image moved by each of `values` along `axis` ("x", "y": px; "angle": degrees;
  // "thickness": steps), each predicted: (n, 10), valid until the next call.
  const float* sweep(const float* image, const std::string& axis, const float* values, int n);
  // d logit[cls] / d image (input_gradient): (784), valid until the next call.
  const float* input_gradient(const float* image, int cls);
  // The drop in probs[cls] when each patch is blanked (occlusion): (784), valid until the next call.
  const float* occlusion(const float* image, int cls, int patch);
  // Targeted iterative fast gradient sign (nn/explain/fool.h) -> {"steps","reached","l1","linf"};
  // last_input() then holds the nudged image and last_probs() its probabilities.
  std::string fool(const float* image, int target, const FoolSettings& settings);
  const float* last_probs() const { return probs_.data(); }  // (10) of the last prediction
  // One recorded SGD step on one digit (nn/explain/step_trace.h); the model keeps the update.
  // -> {"loss","probs":[10],"layers":[{"output","output_grad","grad","change"}]}, each of the
  // four an [offset, length] into trace(), a flat buffer valid until the next step_trace.
  std::string step_trace(const float* image, int label, float lr);
  const float* trace() const { return trace_.data(); }
  size_t trace_size() const { return trace_.size(); }
  // Starts a fine-tuning run on the current model (nn/train/finetune.h): the user's digits
  // (n, 784) bytes and labels (n) mixed with the loaded MNIST training digits; then train()
  // runs it as any run. Replaces any current run.
  void start_finetune(const uint8_t* images, const uint8_t* labels, int n, const FineTuneConfig& cfg);
  // An IDX image file and label file (bytes) -> the digits, checked as load_data checks MNIST's.
  static Dataset read_idx(const uint8_t* images, size_t images_size, const uint8_t* labels,
                          size_t labels_size);

  float* params();
  size_t param_count() const;
  // A weights file image (float16 if `half`).
  std::vector<uint8_t> export_weights(bool half) const;
  // Replaces the model with the one in the file; returns model_info().
  std::string import_weights(const uint8_t* bytes, size_t size);

 private:
  Network& net() const;
  const Dataset& split(const std::string& name) const;
  // Replaces a split's digits (a training run refers to the old ones: it ends).
  void keep(const std::string& name, Dataset&& ds);
  struct Staged {
    std::vector<uint8_t> images, labels;
  };
  Staged& staged_split(const std::string& split);
  std::vector<uint8_t>& staged_file(const std::string& split, const std::string& file);

  std::unique_ptr<Network> net_;
  Dataset train_, test_;
  Staged staged_train_, staged_test_;  // stage() .. load_staged()
  Dataset finetune_;                   // the mix a fine-tuning run trains on (the trainer refers to it)
  std::vector<float> explain_, trace_;
  std::unique_ptr<Trainer> trainer_;
  std::vector<float> input_ = std::vector<float>(784, 0.0f), probs_ = std::vector<float>(10, 0.0f);
  bool predicted_ = false;
  int test_shifts_ = 0;  // evaluate()'s shifted views: the recipe of the run that made the model
};

}  // namespace mnist
