#include "nn/session.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "nn/data/idx.h"
#include "nn/data/preprocess.h"
#include "nn/explain/saliency.h"
#include "nn/explain/step_trace.h"
#include "nn/model/serialize.h"
#include "nn/model/spec.h"
#include "nn/train/loss.h"
#include "nn/util/check.h"
#include "nn/util/json.h"

namespace mnist {

TrainConfig Session::defaults() {
  TrainConfig c;
  c.epochs = 1;
  c.batch = 64;
  c.lr = 3e-3f;
  c.schedule = "onecycle";
  return c;
}

Network& Session::net() const {
  check(net_ != nullptr, "no model yet: create one or import weights first");
  return *net_;
}

const Dataset& Session::split(const std::string& name) const {
  check(name == "train" || name == "test", "unknown data split '", name, "' (use train or test)");
  return name == "train" ? train_ : test_;
}

std::string Session::create_model(const std::string& model, uint32_t seed) {
  const std::string spec = resolve_spec(model);
  check_memory(spec, kEvalBatch, memory_limit());  // predictions and evaluation run at kEvalBatch
  auto fresh = build_network(spec, seed);
  trainer_.reset();
  net_ = std::move(fresh);
  test_shifts_ = 0;
  predicted_ = false;
  return model_info();
}

// {"spec","params","spatial","layers":[...]}: "params" counts every value,
// parameters and state (Network::total_count()). Each layer, from Layer::attributes():
//   always: "token", "kind", "shape":[c,h,w], "flat", "window", "params" and
//   "offset" (its slice of params()), "state" (its count of running statistics), "spatial";
//   dense: "units"; conv: "filters", "kernel", "stride", "padding" ("same"|"valid");
//   pool, avgpool, gap: "pooling" ("max"|"average"), "stride"; dropout: "rate".
std::string Session::model_info() const {
  const Network& n = net();
  std::string layers = "[";
  bool spatial = false;
  for (size_t i = 0; i < n.layer_count(); ++i) {
    const Layer& l = n.layer(i);
    const LayerAttributes a = l.attributes();
    spatial = spatial || a.spatial;
    JsonWriter w;
    w.field("token", l.token())
        .field("kind", a.kind)
        .field("shape", std::vector<int>{a.out.c, a.out.h, a.out.w})
        .field("flat", a.out.flat)
        .field("window", a.window)
        .field("params", uint64_t(a.params))
        .field("offset", uint64_t(n.param_offset(i)))
        .field("state", uint64_t(a.state))
        .field("spatial", a.spatial);
    if (a.units) w.field("units", a.units);
    if (a.filters) w.field("filters", a.filters);
    if (a.kernel) w.field("kernel", a.kernel);
    if (a.stride) w.field("stride", a.stride);
    if (!a.padding.empty()) w.field("padding", a.padding);
    if (!a.pooling.empty()) w.field("pooling", a.pooling);
    if (a.rate) w.shortest("rate", *a.rate);
    if (a.activation) w.field("activation", true);
    layers += (i ? "," : "") + w.str();
  }
  layers += "]";
  return JsonWriter()
      .field("spec", n.spec())
      .field("params", uint64_t(n.total_count()))
      .field("spatial", spatial)
      .raw("layers", layers)
      .str();
}

std::string Session::describe_weights(const uint8_t* bytes, size_t size) {
  std::string spec;
  try {
    spec = parse_weights(bytes, size).spec;
  } catch (const Error& e) {
    return JsonWriter().field("ok", false).field("error", e.what()).str();
  }
  return describe(spec);
}

std::string Session::describe(const std::string& model, int batch) {
  try {
    const std::string spec = resolve_spec(model);
    const SpecInfo info = inspect_spec(spec);
    if (batch <= 0) batch = find_preset(model) ? find_preset(model)->recipe.batch : Recipe{}.batch;
    const uint64_t bytes = training_bytes(spec, batch), limit = memory_limit();
    JsonWriter w;
    w.field("ok", bytes <= limit);
    if (bytes > limit) w.field("error", memory_refusal(batch, bytes, limit));
    return w.field("spec", info.spec)
        .field("params", uint64_t(info.params))
        .field("spatial", info.spatial)
        .field("batch", batch)
        .field("bytes", bytes)
        .field("limit", limit)
        .str();
  } catch (const Error& e) {
    return JsonWriter().field("ok", false).field("error", e.what()).str();
  }
}

std::string Session::presets_json() {
  std::string out = "[";
  bool first = true;
  for (const Preset& p : presets()) {
    const Recipe& r = p.recipe;
    const std::string recipe = JsonWriter()
                                   .field("epochs", r.epochs)
                                   .field("batch", r.batch)
                                   .field("optimizer", r.optimizer)
                                   .field("lr", r.lr)
                                   .field("schedule", r.schedule)
                                   .field("weight_decay", r.weight_decay)
                                   .field("augment", r.augment)
                                   .field("label_smoothing", r.label_smoothing)
                                   .field("test_shifts", r.test_shifts)
                                   .field("limit", r.limit)
                                   .str();
    const SpecInfo info = inspect_spec(p.spec);
    out += (first ? "" : ",") + JsonWriter()
                                    .field("name", p.name)
                                    .field("spec", p.spec)
                                    .field("source", p.source)
                                    .field("params", uint64_t(info.params))
                                    .field("spatial", info.spatial)
                                    .raw("recipe", recipe)
                                    .str();
    first = false;
  }
  return out + "]";
}

void Session::load_data(const std::string& name, const uint8_t* images, size_t images_size,
                        const uint8_t* labels, size_t labels_size) {
  split(name);  // validates the name
  keep(name, dataset_from_idx(images, images_size, labels, labels_size, name));
}

void Session::keep(const std::string& name, Dataset&& ds) {
  if (name == "train") {
    trainer_.reset();  // it holds a reference to the old set
    train_ = std::move(ds);
  } else {
    test_ = std::move(ds);
  }
}

Session::Staged& Session::staged_split(const std::string& name) {
  split(name);  // validates the name
  return name == "train" ? staged_train_ : staged_test_;
}

std::vector<uint8_t>& Session::staged_file(const std::string& name, const std::string& file) {
  Staged& st = staged_split(name);
  check(file == "images" || file == "labels", "unknown data file '", file, "' (use images or labels)");
  return file == "images" ? st.images : st.labels;
}

void Session::stage(const std::string& name, const std::string& file, size_t size) {
  std::vector<uint8_t>& room = staged_file(name, file);
  check(size <= kMaxIdxBytes, name, " ", file, ": ", size, " bytes is more than the ", kMaxIdxBytes,
        " an IDX file may have here");
  room = std::vector<uint8_t>();  // the old room goes before the new one is made
  room.resize(size);
}

uint8_t* Session::staged(const std::string& name, const std::string& file, size_t offset, size_t n) {
  std::vector<uint8_t>& room = staged_file(name, file);
  check(offset <= room.size() && n <= room.size() - offset, name, " ", file, ": the file is longer than the ",
        room.size(), " bytes its header declares");
  return room.data() + offset;
}

void Session::load_staged(const std::string& name, size_t images_size, size_t labels_size) {
  Staged st = std::exchange(staged_split(name), Staged());  // the room goes, on an error too
  std::vector<uint8_t>& images = st.images;
  std::vector<uint8_t>& labels = st.labels;
  check(images_size <= images.size() && labels_size <= labels.size(), name,
        ": more bytes loaded than were staged (", images_size, " and ", labels_size, ", staged ",
        images.size(), " and ", labels.size(), ")");
  images.resize(images_size);
  labels.resize(labels_size);
  keep(name, dataset_from_idx(std::move(images), std::move(labels), name));
}

void Session::unstage(const std::string& name) { staged_split(name) = Staged(); }

int Session::count(const std::string& name) const { return split(name).count; }

const uint8_t* Session::image(const std::string& name, int i) const {
  const Dataset& data = split(name);
  check(data.count > 0, "no ", name, " data loaded");
  check(i >= 0 && i < data.count, "no ", name, " digit ", i, " (there are ", data.count, ")");
  return data.image(i);
}

const uint8_t* Session::labels(const std::string& name) const {
  const Dataset& data = split(name);
  check(data.count > 0, "no ", name, " data loaded");
  return data.labels.data();
}

void Session::start_training(const TrainConfig& cfg) {
  check(train_.count > 0, "no training data loaded");
  auto t = std::make_unique<Trainer>(net(), train_, cfg);
  trainer_ = std::move(t);
}

std::string Session::start_new_training(const std::string& model, const TrainConfig& given) {
  given.validate();  // before a possibly large network is built
  const TrainConfig cfg = given.as_trained(model);
  check(train_.count > 0, "no training data loaded");
  const std::string spec = resolve_spec(model);
  // The page asks describe() first, but the engine does not rely on it: a run
  // that cannot fit is refused here, before anything is allocated.
  check_memory(spec, cfg.batch, memory_limit());
  auto fresh = build_network(spec, cfg.seed);  // the run's seed draws the weights too, as in the CLI
  auto run = std::make_unique<Trainer>(*fresh, train_, cfg);  // refers to *fresh, which moves in below
  net_ = std::move(fresh);
  trainer_ = std::move(run);
  test_shifts_ = cfg.test_shifts;
  predicted_ = false;
  return model_info();
}

TrainProgress Session::train(int n_batches) {
  check(trainer_ != nullptr, "no training run: call start_training first");
  check(n_batches >= 1 && n_batches <= 100000, "batches per call must be 1..100000, got ", n_batches);
  TrainProgress p;
  static_cast<Progress&>(p) = trainer_->step(n_batches);
  p.epochs = trainer_->config().epochs;
  return p;
}

void Session::set_lr(float lr) {
  check(trainer_ != nullptr, "no training run: call start_training first");
  trainer_->set_lr(lr);
}

std::string Session::evaluate(int limit, const std::string& name, bool with_predictions) {
  const Dataset& data = split(name);
  check(data.count > 0, "no ", name, " data loaded");
  check(limit >= 0, "evaluation limit must not be negative, got ", limit);
  return mnist::evaluate(net(), data, limit, kEvalBatch, nullptr, test_shifts_).to_json(with_predictions);
}

const float* Session::predict(const float* image) {
  Network& n = net();
  // One plain pass, then one check: a check() per pixel costs a JS exception
  // trampoline per call in the wasm build (-fexceptions).
  int bad = 0;
  while (bad < kImagePixels && std::isfinite(image[bad])) ++bad;
  check(bad == kImagePixels, "image has a non-finite pixel at ", bad);
  if (image != input_.data()) std::copy(image, image + kImagePixels, input_.begin());
  const float* logits = n.forward(input_.data(), 1, false);
  softmax(logits, probs_.data(), kClasses);
  predicted_ = true;
  return probs_.data();
}

const float* Session::predict_drawing(const float* pixels, int width, int height) {
  net();
  input_ = preprocess_drawing(pixels, width, height);
  return predict(input_.data());
}

const float* Session::predict_sample(const std::string& name, int i) {
  net();
  image(name, i);  // checks the split and the index
  const uint32_t index = uint32_t(i);
  to_float(split(name), &index, 1, input_.data());
  return predict(input_.data());
}

const float* Session::activation(int layer) const {
  check(predicted_, "no prediction yet");
  check(layer >= 0 && size_t(layer) < net().layer_count(), "no layer ", layer);
  return net().activation(size_t(layer), 0);
}

int Session::activation_size(int layer) const {
  check(layer >= 0 && size_t(layer) < net().layer_count(), "no layer ", layer);
  return net().layer(size_t(layer)).out_shape().size();
}

float* Session::params() { return net().params(); }
size_t Session::param_count() const { return net().param_count(); }

std::vector<uint8_t> Session::export_weights(bool half) const {
  return save_weights(net(), half ? WeightsType::F16 : WeightsType::F32);
}

std::string Session::import_weights(const uint8_t* bytes, size_t size) {
  auto fresh = load_network(bytes, size);  // its weights fit the file, its activations may not
  check_memory(fresh->spec(), kEvalBatch, memory_limit());
  trainer_.reset();
  net_ = std::move(fresh);
  test_shifts_ = 0;
  predicted_ = false;
  return model_info();
}

namespace {

void check_image(const float* image) {
  int bad = 0;
  while (bad < kImagePixels && std::isfinite(image[bad])) ++bad;
  check(bad == kImagePixels, "image has a non-finite pixel at ", bad);
}

}  // namespace

const float* Session::prepare(const float* pixels, int width, int height, bool centre, float dx, float dy,
                              float degrees, int thickness) {
  net();
  std::vector<float> image =
      centre ? preprocess_drawing(pixels, width, height) : scale_drawing(pixels, width, height);
  if (dx != 0.0f || dy != 0.0f || degrees != 0.0f || thickness != 0)
    image = transform_image(image.data(), dx, dy, degrees, thickness);
  input_ = std::move(image);
  return predict(input_.data());
}

const float* Session::sweep(const float* image, const std::string& axis, const float* values, int n) {
  Network& model = net();
  check_image(image);
  check(axis == "x" || axis == "y" || axis == "angle" || axis == "thickness", "unknown sweep axis '", axis,
        "' (x, y, angle or thickness)");
  check(n >= 1 && n <= 1000, "a sweep needs 1..1000 values, got ", n);
  std::vector<float> batch(size_t(n) * kImagePixels);
  for (int k = 0; k < n; ++k) {
    const float v = values[k];
    check(std::isfinite(v), "sweep value ", k, " is not finite");
    const auto moved = axis == "x"       ? transform_image(image, v, 0, 0, 0)
                       : axis == "y"     ? transform_image(image, 0, v, 0, 0)
                       : axis == "angle" ? transform_image(image, 0, 0, v, 0)
                                         : transform_image(image, 0, 0, 0, int(std::lround(v)));
    std::copy(moved.begin(), moved.end(), batch.begin() + ptrdiff_t(k) * kImagePixels);
  }
  explain_.resize(size_t(n) * kClasses);
  for (int first = 0; first < n; first += kEvalBatch) {
    const int m = std::min(kEvalBatch, n - first);
    const float* logits = model.forward(batch.data() + size_t(first) * kImagePixels, m, false);
    for (int k = 0; k < m; ++k)
      softmax(logits + size_t(k) * kClasses, explain_.data() + size_t(first + k) * kClasses, kClasses);
  }
  predicted_ = false;  // the activations are the sweep's last batch's, not a prediction's
  return explain_.data();
}

const float* Session::input_gradient(const float* image, int cls) {
  Network& model = net();
  check_image(image);
  explain_ = mnist::input_gradient(model, image, cls);
  predicted_ = false;
  return explain_.data();
}

const float* Session::occlusion(const float* image, int cls, int patch) {
  Network& model = net();
  check_image(image);
  explain_ = mnist::occlusion(model, image, cls, patch);
  predicted_ = false;
  return explain_.data();
}

std::string Session::fool(const float* image, int target, const FoolSettings& settings) {
  Network& model = net();
  check_image(image);
  const FoolResult r = mnist::fool(model, image, target, settings);
  input_ = r.image;
  probs_ = r.probs;
  predict(input_.data());  // the activations of the nudged image
  return JsonWriter()
      .field("steps", r.steps)
      .field("reached", r.reached)
      .field("l1", r.l1)
      .field("linf", r.linf)
      .str();
}

std::string Session::step_trace(const float* image, int label, float lr) {
  Network& model = net();
  check_image(image);
  const StepTrace t = mnist::step_trace(model, image, label, lr);
  trace_.clear();
  // [offset, length] of v once appended to trace_
  const auto append = [&](const std::vector<float>& v) {
    const std::vector<size_t> at = {trace_.size(), v.size()};
    trace_.insert(trace_.end(), v.begin(), v.end());
    return at;
  };
  std::string layers = "[";
  for (size_t i = 0; i < t.layers.size(); ++i) {
    const TraceLayer& l = t.layers[i];
    layers += (i ? "," : "") + JsonWriter()
                                   .field("output", append(l.output))
                                   .field("output_grad", append(l.output_grad))
                                   .field("grad", append(l.grad))
                                   .field("change", append(l.change))
                                   .str();
  }
  predicted_ = false;
  return JsonWriter().field("loss", t.loss).field("probs", t.probs).raw("layers", layers + "]").str();
}

void Session::start_finetune(const uint8_t* images, const uint8_t* labels, int n, const FineTuneConfig& cfg) {
  Network& model = net();
  check(train_.count > 0, "no training data loaded");
  check(n >= 1 && n <= 10000, "fine-tuning needs 1..10000 digits of yours, got ", n);
  Dataset user;
  user.count = n;
  user.images.assign(images, images + size_t(n) * kImagePixels);
  user.labels.assign(labels, labels + n);
  for (int i = 0; i < n; ++i)
    check(labels[i] < kClasses, "your digit ", i, " has label ", int(labels[i]), " (not 0..9)");
  Dataset mix = finetune_mix(user, train_, cfg);
  const TrainConfig tcfg = finetune_train_config(cfg);
  trainer_.reset();  // it may refer to the previous mix
  finetune_ = std::move(mix);
  trainer_ = std::make_unique<Trainer>(model, finetune_, tcfg);
}

Dataset Session::read_idx(const uint8_t* images, size_t images_size, const uint8_t* labels,
                          size_t labels_size) {
  return dataset_from_idx(images, images_size, labels, labels_size, "your digits");
}

}  // namespace mnist
