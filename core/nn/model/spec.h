#pragma once
// The layer-spec grammar shared by the CLI and the page, and the presets.
//   spec   := token ("-" token)*
//   token  := name | name "(" arg ("," arg)* ")"
// The names, each one's arguments and what it does are the registry's
// (nn/layers/registry.h; `mnist-lab layers` prints them).
// Names and `same`/`valid` in any case, spaces anywhere between the parts; a '-'
// inside parentheses belongs to its number (dropout(1e-5)). The input is
// 1x28x28; the last layer is the dense(10) that gives the logits. A dense layer
// on an image flattens it implicitly. The canonical form (Network::spec()) is
// lower case without spaces, rates in their shortest exact form, and parses
// back to the same network.
#include <memory>
#include <string>
#include <vector>

#include "nn/model/network.h"
#include "nn/train/defaults.h"

namespace mnist {

// Generous bounds that keep a typo from asking for gigabytes.
constexpr size_t kMaxParams = 32u << 20;  // 32M floats = 128 MB, checked when built
constexpr size_t kMaxSpecLength = 4096;   // characters

struct Recipe {
  int epochs = defaults::kEpochs;
  int batch = defaults::kBatch;
  std::string optimizer = defaults::kOptimizer;  // adam | sgd
  float lr = defaults::kLr;
  std::string schedule = defaults::kSchedule;  // constant | step | cosine | onecycle
  float weight_decay = 0.0f;
  bool augment = false;
  float label_smoothing = 0.0f;  // TrainConfig::label_smoothing
  int test_shifts = 0;           // TrainConfig::test_shifts
  int limit = 0;                 // an epoch is the first `limit` training digits (0: all)
};

struct Preset {
  std::string name;
  std::string spec;
  std::string source;  // the article it reproduces (title, author, the accuracy it reports), or why none
  Recipe recipe;
};

const std::vector<Preset>& presets();
// The preset with this name, or null.
const Preset* find_preset(const std::string& name);

// Parses and validates `spec` (a layer spec, not a preset name) and builds the
// network, seeded. Errors name the token and the reason.
std::unique_ptr<Network> build_network(const std::string& spec, uint64_t seed);

// A preset name or a spec -> the spec. Throws for an unknown single word.
std::string resolve_spec(const std::string& model);

// What a spec describes, from the layers' shapes alone: each layer is made and
// configured (a few numbers, and small tables such as a convolution's tap
// offsets), but no parameter arena, activation or scratch buffer is allocated,
// so a spec of billions of parameters is counted, not built. Throws
// mnist::Error for a bad spec, as build_network does.
struct SpecInfo {
  std::string spec;  // canonical form
  // Every value the model stores, trainable or state: what users are told and
  // a weights file holds (Network::total_count(), see nn/model/network.h).
  size_t params = 0;
  size_t state = 0;      // of which state: batch norm's running statistics
  bool spatial = false;  // a layer with a window (conv, pool, avgpool, gap) reads the image as 1x28x28
};
SpecInfo inspect_spec(const std::string& spec);
size_t count_params(const std::string& spec);  // inspect_spec(spec).params

// Peak bytes a training run of `spec` at `batch` holds, from shapes alone:
// parameters, their gradients and Adam's two moments; the state; every layer's output, the
// two backward buffers and every layer's scratch (im2col columns, dropout masks,
// batch-norm inputs) for the larger of the batch and the evaluation batch
// (kEvalBatch); the training and evaluation input batches; and the
// data-parallel replicas of the other shards (nn/train/data_parallel.h).
uint64_t training_bytes(const std::string& spec, int batch);
// What a run may take: natively 3/4 of the machine's memory (or of the control
// group's limit or the address-space limit, if lower); in wasm 3/4 of the
// heap's 2 GiB ceiling.
uint64_t memory_limit();
// Throws mnist::Error naming the estimate and the limit if training_bytes(spec,
// batch) is over `limit`, so that nothing is allocated for a run that cannot fit.
// Why a run of `need` bytes at `batch` is refused under `limit`, as check_memory says it.
std::string memory_refusal(int batch, uint64_t need, uint64_t limit);
void check_memory(const std::string& spec, int batch, uint64_t limit);
// "812 MB", "65.9 GB"
std::string format_bytes(uint64_t bytes);

}  // namespace mnist
