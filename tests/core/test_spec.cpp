// The layer-spec grammar and the presets: exact parameter counts, canonical
// strings, and a message naming the token and the reason for every bad spec.
#include <catch2/catch.hpp>

#include "nn/layers/conv2d.h"
#include "nn/layers/dense.h"
#include "nn/model/spec.h"
#include "nn/util/check.h"

using namespace mnist;
using Catch::Contains;

TEST_CASE("spec: every preset has its exact parameter count", "[spec]") {
  // Worked out by hand from each spec, e.g. cnn: conv(32,3) 32*9+32 = 320 -> 32x26x26,
  // pool -> 32x13x13, conv(64,3) 64*32*9+64 = 18496 -> 64x11x11, pool -> 64x5x5 = 1600,
  // dense(128) 1600*128+128 = 204928, dense(10) 1290: 225034.
  const std::pair<const char*, size_t> expected[] = {
      {"mlp", 535818},      {"mlp-128", 101770}, {"mlp-32", 25450},     {"linear", 7850},  {"cnn", 225034},
      {"tiny-cnn", 4266},   {"small-cnn", 26698}, {"strong-cnn", 467818}, {"lenet5", 44426}, {"wide-cnn", 1199882},
      {"fast", 41330},
  };
  CHECK(presets().size() == std::size(expected));
  for (const auto& [name, count] : expected) {
    INFO(name);
    const Preset* p = find_preset(name);
    REQUIRE(p != nullptr);
    CHECK(count_params(p->spec) == count);
    CHECK(resolve_spec(name) == p->spec);
    const std::string canonical = build_network(p->spec, 1)->spec();
    CHECK(build_network(canonical, 1)->spec() == canonical);
  }
  CHECK(find_preset("resnet") == nullptr);
}

namespace {
// Multiply-adds of one sample's forward pass through the conv and dense layers.
size_t forward_macs(const Network& net) {
  size_t macs = 0;
  for (size_t i = 0; i < net.layer_count(); ++i) {
    const Layer& l = net.layer(i);
    if (const auto* c = dynamic_cast<const Conv2d*>(&l))
      macs += size_t(l.out_shape().size()) * l.in_shape().c * c->kernel() * c->kernel();
    else if (dynamic_cast<const Dense*>(&l))
      macs += size_t(l.out_shape().size()) * l.in_shape().size();
  }
  return macs;
}
}  // namespace

TEST_CASE("spec: the fast preset is a LeNet-sized net with batch norm and a one-epoch recipe", "[spec]") {
  // Issue 5: >= 99.0% after <= 30 s of training in the page (bench/fast.mjs measures it).
  const Preset* p = find_preset("fast");
  REQUIRE(p != nullptr);
  const auto net = build_network(p->spec, 1);
  CHECK(net->spec() == p->spec);  // written canonically
  // conv(8,3) 80 -> 8x26x26, pool -> 8x13x13, bn 32; conv(24,3) 1752 -> 24x11x11,
  // pool -> 24x5x5 = 600, bn 96; dense(64) 38464, bn 256; dense(10) 650.
  const std::pair<const char*, const char*> shapes[] = {
      {"conv(8,3)", "8x26x26"}, {"pool(2)", "8x13x13"}, {"bn", "8x13x13"},  {"relu", "8x13x13"},
      {"conv(24,3)", "24x11x11"}, {"pool(2)", "24x5x5"}, {"bn", "24x5x5"}, {"relu", "24x5x5"},
      {"flatten", "600"},        {"dense(64)", "64"},    {"bn", "64"},     {"relu", "64"},
      {"dense(10)", "10"},
  };
  REQUIRE(net->layer_count() == std::size(shapes));
  for (size_t i = 0; i < std::size(shapes); ++i) {
    INFO("layer " << i + 1);
    CHECK(net->layer(i).token() == shapes[i].first);
    CHECK(net->layer(i).out_shape().str() == shapes[i].second);
  }
  CHECK(net->param_count() == 41330);
  // The time budget is the design: about lenet5's work per sample (296,800 vs
  // 281,640 multiply-adds), so one epoch of 60,000 digits fits in the page's 30 s.
  CHECK(forward_macs(*net) == 48672 + 209088 + 38400 + 640);
  CHECK(forward_macs(*net) <= forward_macs(*build_network(find_preset("lenet5")->spec, 1)) * 11 / 10);
  const Recipe& r = p->recipe;
  CHECK(r.epochs == 1);
  CHECK(r.batch == 32);
  CHECK(r.optimizer == "adam");
  CHECK(r.lr == 2e-2f);
  CHECK(r.schedule == "onecycle");
  CHECK(r.weight_decay == 0.0f);
  CHECK_FALSE(r.augment);  // one epoch: the plain digits teach faster
}

TEST_CASE("spec: valid specs and their canonical form", "[spec]") {
  struct Case {
    const char* spec;
    const char* canonical;
    size_t params;
  };
  const Case cases[] = {
      // whitespace around and inside tokens; names are case-insensitive
      {"  dense( 128 ) - ReLU -dense(10) ", "dense(128)-relu-dense(10)", 784 * 128 + 128 + 128 * 10 + 10},
      // conv 8*9+8 = 80 -> 8x28x28, pool -> 8x14x14 = 1568 -> dense 15690
      {"conv(8,3,same)-relu-pool(2)-dropout(0.25)-dense(10)", "conv(8,3,same)-relu-pool(2)-dropout(0.25)-dense(10)",
       80 + 15690},
      // valid is the default and is dropped: conv 4*25+4 = 104 -> 4x24x24 = 2304 -> 23050
      {"conv(4, 5, valid)-tanh-flatten-dense(10)", "conv(4,5)-tanh-flatten-dense(10)", 104 + 23050},
      // bare dropout means 0.5
      {"dropout-sigmoid-dense(10)", "dropout(0.5)-sigmoid-dense(10)", 7850},
      {"pool(14)-dense(10)", "pool(14)-dense(10)", 4 * 10 + 10},
  };
  for (const Case& c : cases) {
    INFO(c.spec);
    auto net = build_network(c.spec, 1);
    CHECK(net->spec() == c.canonical);
    CHECK(net->param_count() == c.params);
    CHECK(count_params(c.spec) == c.params);
    CHECK(build_network(net->spec(), 1)->spec() == c.canonical);  // canonical is a fixed point
    CHECK(build_network(resolve_spec(c.spec), 1)->spec() == c.canonical);  // a spec passes through
  }
}

TEST_CASE("spec: a bad spec is rejected naming the token and the reason", "[spec]") {
  struct Case {
    const char* spec;
    const char* token;   // what the message must quote
    const char* reason;  // and why
  };
  const Case cases[] = {
      {"dense(10)-softmax", "'softmax'", "unknown layer"},
      {"dense(10)--relu", "position 2", "empty token"},
      {"dense(64)-relu-", "position 3", "empty token"},
      {"dense(abc)-dense(10)", "dense(abc)", "'abc' is not a whole number"},
      {"dense(1.5)-dense(10)", "dense(1.5)", "'1.5' is not a whole number"},
      {"dense()-dense(10)", "dense()", "units is empty"},
      {"dense(0)-dense(10)", "dense(0)", "units 0 is out of range 1..65536"},
      {"dense(-5)-dense(10)", "dense(-5)", "'-5' is not a whole number"},
      {"conv(4,-3)-dense(10)", "conv(4,-3)", "'-3' is not a whole number"},
      {"dense(100000)-dense(10)", "dense(100000)", "units 100000 is out of range 1..65536"},
      {"dense(99999999999)-dense(10)", "dense(99999999999)", "out of range"},
      {"conv(2000,3)-dense(10)", "conv(2000,3)", "filters 2000 is out of range 1..1024"},
      {"conv(4,3-relu-dense(10)", "conv(4,3", "missing ')'"},
      {"dense10)-relu-dense(10)", "dense10)", "')' without '('"},
      {"dense((10))", "dense((10))", "nested parentheses"},
      {"(10)-dense(10)", "(10)", "no layer name"},
      {"relu(3)-dense(10)", "relu(3)", "expected no arguments"},
      {"conv(4)-dense(10)", "conv(4)", "expected conv(F,K)"},
      {"conv(4,3,full)-dense(10)", "conv(4,3,full)", "padding 'full' is not 'same' or 'valid'"},
      {"flatten-conv(4,3)-dense(10)", "conv(4,3)", "conv must come before flatten/dense"},
      {"dense(32)-pool(2)-dense(10)", "pool(2)", "pool must come before flatten/dense"},
      // 28 -conv5-> 24 -pool2-> 12: a 13-wide window does not fit
      {"conv(4,5)-pool(2)-pool(13)-dense(10)", "pool(13)", "larger than its 4x12x12 input"},
      {"pool(29)-dense(10)", "pool(29)", "window 29 is out of range 1..28"},
      {"conv(4,4,same)-dense(10)", "conv(4,4,same)", "same padding needs an odd kernel"},
      {"dropout(1.5)-dense(10)", "dropout(1.5)", "rate 1.5 must be in [0, 1)"},
      {"dropout(-0.5)-dense(10)", "dropout(-0.5)", "must be in [0, 1)"},
      {"dropout(often)-dense(10)", "dropout(often)", "rate 'often' is not a number"},
      {"dense(65536)-dense(10)", "dense(65536)", "over 33554432 parameters"},
      {"dense(12)", "gives 12", "the last layer must give 10 outputs"},
      {"conv(4,3)", "gives 4x26x26", "the last layer must give 10 outputs"},
      {"  ", "empty layer spec", "empty"},
  };
  for (const Case& c : cases) {
    INFO(c.spec);
    CHECK_THROWS_WITH(build_network(c.spec, 1), Contains(c.token) && Contains(c.reason));
    CHECK_THROWS_AS(count_params(c.spec), Error);
  }
  std::string long_spec;
  for (int i = 0; i < 64; ++i) long_spec += "relu-";
  CHECK_THROWS_WITH(build_network(long_spec + "dense(10)", 1), Contains("65 layers") && Contains("at most 64"));
}

TEST_CASE("spec: a model name is a preset or a spec", "[spec]") {
  CHECK(resolve_spec(" mlp-32 ") == "dense(32)-relu-dense(10)");
  CHECK(resolve_spec("dense(10)") == "dense(10)");
  CHECK_THROWS_WITH(resolve_spec("resnet"), Contains("unknown model 'resnet'") && Contains("presets: mlp,"));
  // A single layer word is a spec (that then fails for its own reason), not a preset.
  CHECK(resolve_spec("relu") == "relu");
  CHECK_THROWS_WITH(build_network("mlp", 1), Contains("unknown layer 'mlp'"));
}
