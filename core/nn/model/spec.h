#pragma once
// The layer-spec grammar shared by the CLI and the page, and the presets.
//   spec   := token ("-" token)*
//   token  := dense(N) | conv(F,K) | conv(F,K,same) | conv(F,K,valid) | pool(K)
//           | relu | sigmoid | tanh | dropout | dropout(P) | flatten
// The input is 1x28x28; the last layer must give 10 outputs. A dense layer on an
// image flattens it implicitly.
#include <memory>
#include <string>
#include <vector>

#include "nn/model/network.h"

namespace mnist {

struct Recipe {
  int epochs = 10;
  int batch = 128;
  std::string optimizer = "adam";  // adam | sgd
  float lr = 1e-3f;
  std::string schedule = "cosine";  // constant | step | cosine | onecycle
  float weight_decay = 0.0f;
  bool augment = false;
};

struct Preset {
  std::string name;
  std::string spec;
  std::string source;  // which seed article it reproduces
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

// Parameters of a spec without allocating them (for the page's editor).
size_t count_params(const std::string& spec);

}  // namespace mnist
