#include "nn/layers/registry.h"

#include "nn/layers/activations.h"
#include "nn/layers/avgpool2d.h"
#include "nn/layers/batchnorm.h"
#include "nn/layers/conv2d.h"
#include "nn/layers/dense.h"
#include "nn/layers/dropout.h"
#include "nn/layers/flatten.h"
#include "nn/layers/maxpool2d.h"
#include "nn/util/check.h"
#include "nn/util/text.h"

namespace mnist {

const std::vector<LayerType>& layer_types() {
  static const std::vector<LayerType> table = {
      {Dense::kSyntax, Dense::make},
      {Conv2d::kSyntax, Conv2d::make},
      {MaxPool2d::kSyntax, MaxPool2d::make},
      {AvgPool2d::kSyntax, AvgPool2d::make},
      {GlobalAvgPool::kSyntax, GlobalAvgPool::make},
      {ActivationLayer::kRelu, ActivationLayer::make},
      {ActivationLayer::kSigmoid, ActivationLayer::make},
      {ActivationLayer::kTanh, ActivationLayer::make},
      {Dropout::kSyntax, Dropout::make},
      {BatchNorm::kSyntax, BatchNorm::make},
      {Flatten::kSyntax, Flatten::make},
  };
  return table;
}

const LayerType* find_layer_type(const std::string& name) {
  for (const LayerType& t : layer_types())
    if (name == t.syntax.name) return &t;
  return nullptr;
}

std::unique_ptr<Layer> make_layer(const Token& t) {
  if (const LayerType* type = find_layer_type(t.name)) return type->make(t);
  std::string known;
  for (const LayerType& type : layer_types())
    known += (known.empty() ? "" : ", ") + std::string(type.syntax.name);
  fail("unknown layer '", printable(t.name), "' in token '", t.text, "' (known: ", known, ")");
}

}  // namespace mnist
