#pragma once
// The layer types the spec grammar knows, one entry per token name, in the
// order `mnist-lab layers`, the README and the parser's "known" list give them.
// Each layer's own header says how its token is written (a TokenSyntax) and
// builds it from the parsed token (a static make(), which checks the
// arguments); registry.cpp lists them, one line each. An explicit table rather
// than self-registering statics: the linker keeps every entry of a static
// library this way, and nothing depends on the order of static initialisation.
#include <memory>
#include <string>
#include <vector>

#include "nn/layers/layer.h"
#include "nn/layers/token.h"

namespace mnist {

struct LayerType {
  TokenSyntax syntax;
  std::unique_ptr<Layer> (*make)(const Token& t);  // throws mnist::Error for bad arguments
};

const std::vector<LayerType>& layer_types();
// The entry for a lower-case token name, or null.
const LayerType* find_layer_type(const std::string& name);
// The layer a token builds; throws mnist::Error for an unknown name (listing
// the known ones) or bad arguments.
std::unique_ptr<Layer> make_layer(const Token& t);

}  // namespace mnist
