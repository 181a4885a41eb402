// The layer registry: every token the spec grammar knows comes from one table,
// and each layer says what it is as data (LayerAttributes), which the page
// draws from instead of reading tokens.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "nn/layers/registry.h"
#include "nn/model/spec.h"

using namespace mnist;
using Catch::Contains;

TEST_CASE("registry: one entry per token name, in the order messages list them", "[registry]") {
  std::vector<std::string> names;
  for (const LayerType& t : layer_types()) {
    const std::string name = t.syntax.name, usage = t.syntax.usage;
    INFO(name);
    names.push_back(name);
    CHECK(usage.rfind(name, 0) == 0);  // a usage begins with its name
    CHECK(std::string(t.syntax.description).size() > 10);
    CHECK(find_layer_type(name) == &t);
  }
  CHECK(names == std::vector<std::string>{"dense", "conv", "pool", "avgpool", "gap", "relu", "sigmoid",
                                          "tanh", "dropout", "bn", "flatten"});
  CHECK(find_layer_type("softmax") == nullptr);
  CHECK(find_layer_type("Dense") == nullptr);  // names are matched in lower case
}

TEST_CASE("registry: every entry builds its layer from a token written any way", "[registry]") {
  struct Example {
    const char* written;
    const char* canonical;
    const char* kind;
  };
  const Example examples[] = {
      {"Dense( 7 )", "dense(7)", "dense"},
      {"conv(4,3, SAME)", "conv(4,3,same)", "conv"},
      {"conv(4,3,valid)", "conv(4,3)", "conv"},
      {"pool(2)", "pool(2)", "pool"},
      {"AVGPOOL(3)", "avgpool(3)", "avgpool"},
      {"gap", "gap", "gap"},
      {"relu", "relu", "relu"},
      {"Sigmoid", "sigmoid", "sigmoid"},
      {"tanh", "tanh", "tanh"},
      {"dropout", "dropout(0.5)", "dropout"},
      {"dropout(1e-5)", "dropout(1e-05)", "dropout"},
      {"bn", "bn", "bn"},
      {"flatten", "flatten", "flatten"},
  };
  std::set<std::string> covered;
  for (const Example& e : examples) {
    INFO(e.written);
    const Token t = Token::split(e.written);
    const auto layer = make_layer(t);
    CHECK(layer->token() == e.canonical);
    CHECK(layer->kind() == e.kind);
    covered.insert(t.name);
  }
  // A new layer type gets an example here too.
  CHECK(covered.size() == layer_types().size());
}

TEST_CASE("registry: an unknown name is refused listing every known one", "[registry]") {
  CHECK_THROWS_WITH(
      make_layer(Token::split("softmax")),
      "unknown layer 'softmax' in token 'softmax' (known: dense, conv, pool, avgpool, gap, relu, "
      "sigmoid, tanh, dropout, bn, flatten)");
  // A single layer name given as a model is a spec, refused for its own reason.
  CHECK(resolve_spec("gap") == "gap");
  CHECK_THROWS_WITH(build_network(resolve_spec("dense"), 1), "bad token 'dense': expected dense(N)");
}

TEST_CASE("layer attributes: what each layer is, as data", "[registry]") {
  const auto net = build_network(
      "conv(8,3,same)-relu-avgpool(2)-conv(16,5)-pool(2)-gap-flatten-dense(32)-bn-dropout(0.3)-dense(10)", 1);
  std::vector<LayerAttributes> a;
  for (size_t i = 0; i < net->layer_count(); ++i) a.push_back(net->layer(i).attributes());
  REQUIRE(a.size() == 11);

  // conv(8,3,same): 8*9+8 parameters -> 8x28x28
  CHECK(a[0].kind == "conv");
  CHECK(a[0].filters == 8);
  CHECK(a[0].kernel == 3);
  CHECK(a[0].stride == 1);
  CHECK(a[0].padding == "same");
  CHECK(a[0].window == 3);
  CHECK(a[0].spatial);
  CHECK(a[0].params == 80);
  CHECK(a[0].out == image_shape(8, 28, 28));
  // relu: nothing but its kind and shape
  CHECK(a[1].kind == "relu");
  CHECK_FALSE(a[1].spatial);
  CHECK(a[1].window == 0);
  CHECK(a[1].stride == 0);
  CHECK(a[1].padding.empty());
  CHECK(a[1].pooling.empty());
  CHECK_FALSE(a[1].rate.has_value());
  // avgpool(2) -> 8x14x14
  CHECK(a[2].pooling == "average");
  CHECK(a[2].stride == 2);
  CHECK(a[2].window == 2);
  CHECK(a[2].spatial);
  CHECK(a[2].out == image_shape(8, 14, 14));
  // conv(16,5), valid -> 16x10x10
  CHECK(a[3].padding == "valid");
  CHECK(a[3].kernel == 5);
  CHECK(a[3].filters == 16);
  CHECK(a[3].params == 16 * 8 * 25 + 16);
  CHECK(a[3].out == image_shape(16, 10, 10));
  // pool(2) -> 16x5x5; gap -> 16x1x1, its window the whole plane
  CHECK(a[4].pooling == "max");
  CHECK(a[4].stride == 2);
  CHECK(a[5].kind == "gap");
  CHECK(a[5].pooling == "average");
  CHECK(a[5].window == 5);
  CHECK(a[5].stride == 5);
  CHECK(a[5].out == image_shape(16, 1, 1));
  // flatten -> 16; dense(32)
  CHECK(a[6].out == flat_shape(16));
  CHECK_FALSE(a[6].spatial);
  CHECK(a[7].units == 32);
  CHECK(a[7].params == 16 * 32 + 32);
  CHECK(a[7].filters == 0);
  // bn, dropout(0.3)
  CHECK(a[8].kind == "bn");
  CHECK(a[9].rate == 0.3f);
  CHECK(a[10].units == 10);
}
