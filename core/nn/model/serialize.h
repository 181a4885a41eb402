#pragma once
// The weights file:
//   "MNLABW01"            8-byte magic
//   u32 version (1)        little-endian throughout
//   u32 dtype              0 = float32, 1 = float16 (for shipping compactly)
//   u32 spec_len, spec     the canonical layer spec, UTF-8
//   u64 count              must equal the spec's count (count_params: parameters and state)
//   data                   count values of dtype: layer after layer, each layer's
//                          parameters (its slice of the arena) then its state
//                          (batch norm: gamma, beta, running mean, running variance)
//   u64 checksum           FNV-1a 64 of every byte before it
// Loading validates all of it before any model is touched. Files written while
// batch norm's running statistics still lived in the parameter arena hold the
// same values in the same order, so the version stays 1.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nn/model/network.h"
#include "nn/model/spec.h"

namespace mnist {

// The largest weights file there can be: kMaxParams float32 values, the header
// and a spec of up to kMaxSpecLength bytes, with room to spare.
constexpr size_t kMaxWeightsFileBytes = sizeof(float) * kMaxParams + 8192;
static_assert(8 + 4 * 3 + kMaxSpecLength + 8 + 8 <= 8192, "the header and the longest spec fit the margin");

enum class WeightsType : uint32_t { F32 = 0, F16 = 1 };

std::vector<uint8_t> save_weights(const Network& net, WeightsType type = WeightsType::F32);

struct Weights {
  std::string spec;
  std::vector<float> params;  // every value, in file order (parameters and state)
};
// Parses and checks a weights file image; throws mnist::Error saying what is wrong.
Weights parse_weights(const uint8_t* bytes, size_t size);
// parse_weights, then a fresh network from the file's spec with its parameters.
std::unique_ptr<Network> load_network(const uint8_t* bytes, size_t size);

uint64_t fnv1a64(const uint8_t* bytes, size_t size);
uint16_t float_to_half(float f);
float half_to_float(uint16_t h);

}  // namespace mnist
