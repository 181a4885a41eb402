// The layer-spec grammar and the presets: exact parameter counts, canonical
// strings, and a message naming the token and the reason for every bad spec.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <limits>

#include "nn/layers/conv2d.h"
#include "nn/layers/dense.h"
#include "nn/layers/dropout.h"
#include "nn/model/spec.h"
#include "nn/session.h"
#include "nn/train/data_parallel.h"
#include "nn/train/trainer.h"
#include "nn/util/check.h"

using namespace mnist;
using Catch::Contains;
using Catch::StartsWith;

TEST_CASE("spec: every preset has its exact parameter count", "[spec]") {
  // Worked out by hand from each spec, e.g. cnn: conv(32,3) 32*9+32 = 320 -> 32x26x26,
  // pool -> 32x13x13, conv(64,3) 64*32*9+64 = 18496 -> 64x11x11, pool -> 64x5x5 = 1600,
  // dense(128) 1600*128+128 = 204928, dense(10) 1290: 225034.
  const std::pair<const char*, size_t> expected[] = {
      {"mlp", 535818},   {"mlp-128", 101770},   {"mlp-32", 25450},    {"linear", 7850},
      {"cnn", 225034},   {"tiny-cnn", 4266},    {"small-cnn", 26698}, {"strong-cnn", 467818},
      {"lenet5", 44426}, {"wide-cnn", 1199882}, {"fast", 38730},      {"minute", 41458},
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

TEST_CASE("spec: the fast preset works on a quarter of the pixels, in two thirds of an epoch", "[spec]") {
  // The speed preset: a mean of 99% over seeds in about 3 s in the page (bench/fast.mjs measures it).
  const Preset* p = find_preset("fast");
  REQUIRE(p != nullptr);
  const auto net = build_network(p->spec, 1);
  CHECK(net->spec() == p->spec);  // written canonically
  // avgpool 1x14x14; conv(16,3) 160 -> 16x12x12, pool -> 16x6x6, bn 32; conv(32,3) 4640
  // -> 32x4x4 = 512, bn 64; dense(64) 32832, bn 128; dense(10) 650.
  const std::pair<const char*, const char*> shapes[] = {
      {"avgpool(2)", "1x14x14"}, {"conv(16,3)", "16x12x12"}, {"pool(2)", "16x6x6"}, {"bn", "16x6x6"},
      {"relu", "16x6x6"},        {"conv(32,3)", "32x4x4"},   {"bn", "32x4x4"},      {"relu", "32x4x4"},
      {"flatten", "512"},        {"dense(64)", "64"},        {"bn", "64"},          {"relu", "64"},
      {"dense(10)", "10"},
  };
  REQUIRE(net->layer_count() == std::size(shapes));
  for (size_t i = 0; i < std::size(shapes); ++i) {
    INFO("layer " << i + 1);
    CHECK(net->layer(i).token() == shapes[i].first);
    CHECK(net->layer(i).out_shape().str() == shapes[i].second);
  }
  CHECK(net->total_count() == 38730);
  CHECK(net->state_count() == 2 * (16 + 32 + 64));  // the bn layers' running statistics
  // The time budget is the design: under half of lenet5's multiply-adds (127,872 vs 281,640),
  // none of them in a convolution over the whole 28x28 image, which costs the most per
  // multiply-add (one input channel).
  CHECK(forward_macs(*net) == 20736 + 73728 + 32768 + 640);
  CHECK(forward_macs(*net) * 2 < forward_macs(*build_network(find_preset("lenet5")->spec, 1)));
  const Recipe& r = p->recipe;
  CHECK(r.epochs == 1);
  CHECK(r.limit == 44000);  // under three quarters of the training set, once
  CHECK(r.batch == 32);
  CHECK(r.optimizer == "adam");
  CHECK(r.lr == 3e-2f);
  CHECK(r.schedule == "onecycle");
  CHECK(r.weight_decay == 0.0f);
  CHECK_FALSE(r.augment);  // one pass: the plain digits teach faster
  CHECK(r.label_smoothing == 0.1f);
  CHECK(r.test_shifts == 4);
  // Its minute-long sibling: ten augmented epochs of a LeNet-sized net at 28x28.
  const Recipe& m = find_preset("minute")->recipe;
  CHECK(m.epochs == 10);
  CHECK(m.augment);
  CHECK(m.limit == 0);
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
      {"conv(8,3,same)-relu-pool(2)-dropout(0.25)-dense(10)",
       "conv(8,3,same)-relu-pool(2)-dropout(0.25)-dense(10)", 80 + 15690},
      // valid is the default and is dropped: conv 4*25+4 = 104 -> 4x24x24 = 2304 -> 23050
      {"conv(4, 5, valid)-tanh-flatten-dense(10)", "conv(4,5)-tanh-flatten-dense(10)", 104 + 23050},
      // bare dropout means 0.5
      {"dropout-sigmoid-dense(10)", "dropout(0.5)-sigmoid-dense(10)", 7850},
      {"pool(14)-dense(10)", "pool(14)-dense(10)", 4 * 10 + 10},
      // Any case, spaces between a name and its parentheses.
      {"CONV (4,3,SAME)-Relu-POOL(2)-Dense(10)", "conv(4,3,same)-relu-pool(2)-dense(10)", 40 + 7850},
      {"conv (4,3)-relu-dense(10)", "conv(4,3)-relu-dense(10)", 40 + 4 * 26 * 26 * 10 + 10},
      // Rates in exponent notation, and printed back exactly.
      {"dropout(1e-5)-dense(10)", "dropout(1e-05)-dense(10)", 7850},
      {"dropout(2.5E-1)-dense(10)", "dropout(0.25)-dense(10)", 7850},
      {"dropout(0.9999999)-dense(10)", "dropout(0.9999999)-dense(10)", 7850},
      // Average pooling: conv 8*9+8 = 80 -> 8x28x28, avgpool -> 8x14x14, conv 16*72+16 = 1168
      // -> 16x14x14, gap -> 16x1x1 -> dense 170.
      {"conv(8,3,same)-relu-AvgPool(2)-conv(16,3,same)-relu-gap-dense(10)",
       "conv(8,3,same)-relu-avgpool(2)-conv(16,3,same)-relu-gap-dense(10)", 80 + 1168 + 170},
      {"avgpool(4)-gap-dense(10)", "avgpool(4)-gap-dense(10)", 20},
  };
  for (const Case& c : cases) {
    INFO(c.spec);
    auto net = build_network(c.spec, 1);
    CHECK(net->spec() == c.canonical);
    CHECK(net->param_count() == c.params);
    CHECK(count_params(c.spec) == c.params);
    CHECK(build_network(net->spec(), 1)->spec() == c.canonical);           // canonical is a fixed point
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
      {"conv(4,3-relu-dense(10)", "conv(4,3-relu-dense(10)", "missing ')' before the next '('"},
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
      // Tokens are joined by '-': the message says so instead of blaming parentheses.
      {"conv(8,3) relu dense(10)", "conv(8,3) relu dense(10)",
       "'relu dense(10)' after ')' (tokens are joined by '-')"},
      {"relu dense(10)", "relu dense(10)", "a layer name has no spaces (tokens are joined by '-')"},
      {"dropout(1e-5-dense(10)", "dropout(1e-5-dense(10)", "missing ')' before the next '('"},
      {"dropout(1e-5", "dropout(1e-5", "missing ')' at the end"},
      // The logits come last: an activation (or anything) after them is refused.
      {"dense(10)-relu", "ends with 'relu'", "the last layer must be the dense(10) that gives the logits"},
      {"dense(64)-dense(10)-dropout(0.5)", "ends with 'dropout(0.5)'", "nothing may follow it"},
      {"conv(4,3)-gapp-dense(10)", "'gapp'", "unknown layer"},
      {"conv(4,3)-gap(2)-dense(10)", "gap(2)", "expected no arguments"},
      {"flatten-avgpool(2)-dense(10)", "avgpool(2)", "needs a CxHxW input but gets a flat vector of 784"},
      {"avgpool(29)-dense(10)", "avgpool(29)", "out of range 1..28"},
      {"dropout(0x1p-3)-dense(10)", "dropout(0x1p-3)", "rate '0x1p-3' is not a number"},
      {"dropout(nan)-dense(10)", "dropout(nan)", "rate 'nan' is not a number"},
      {"dropout(0.99999999)-dense(10)", "dropout(0.99999999)", "rounds to 1 in single precision"},
      {"dense(10)-\x1b[2Jrelu", "'\\x1b[2jrelu'", "unknown layer"},
      {"dense(12)", "gives 12", "the last layer must give 10 outputs"},
      {"conv(4,3)", "gives 4x26x26", "the last layer must give 10 outputs"},
      {"  ", "empty layer spec", "empty"},
  };
  for (const Case& c : cases) {
    INFO(c.spec);
    CHECK_THROWS_WITH(build_network(c.spec, 1), Contains(c.token) && Contains(c.reason));
    CHECK_THROWS_AS(count_params(c.spec), Error);
  }
  // Too many parameters to build, though they can be counted.
  CHECK_THROWS_WITH(build_network("dense(65536)-dense(10)", 1),
                    Contains("52101130 parameters") && Contains("more than the 33554432 a model may have"));
  CHECK(count_params("dense(65536)-dense(10)") == 52101130);
  std::string long_spec;
  for (int i = 0; i < 64; ++i) long_spec += "relu-";
  CHECK_THROWS_WITH(build_network(long_spec + "dense(10)", 1),
                    Contains("65 layers") && Contains("at most 64"));
}

TEST_CASE("spec: a model name is a preset or a spec", "[spec]") {
  CHECK(resolve_spec(" mlp-32 ") == "dense(32)-relu-dense(10)");
  CHECK(resolve_spec("dense(10)") == "dense(10)");
  CHECK_THROWS_WITH(resolve_spec("resnet"), Contains("unknown model 'resnet'") && Contains("presets: mlp,"));
  // A single layer word is a spec (that then fails for its own reason), not a preset.
  CHECK(resolve_spec("relu") == "relu");
  CHECK_THROWS_WITH(build_network("mlp", 1), Contains("unknown layer 'mlp'"));
}

TEST_CASE("spec: whatever a spec prints parses back to the same network", "[spec]") {
  std::vector<std::string> specs;
  for (const Preset& p : presets()) specs.push_back(p.spec);
  // Random rates across [0, 1), down to the smallest normal floats and up to the
  // last float below 1, in random notations.
  Rng rng(7);
  const char* formats[] = {"%.9g", "%.3g", "%.7f", "%.12e", "%g"};
  for (int i = 0; i < 2000; ++i) {
    double rate = i < 1000 ? rng.uniform() : std::ldexp(rng.uniform(), -int(rng.uniform() * 120));
    if (i == 0) rate = double(std::nextafter(1.0f, 0.0f));
    if (i == 1) rate = double(std::numeric_limits<float>::min());
    char buf[64];
    std::snprintf(buf, sizeof buf, formats[i % 5], rate);
    const std::string token = std::string("dropout(") + buf + ")";
    specs.push_back("dense(16)-" + token + "-relu-dense(10)");
    specs.push_back("conv(2,3)-" + token + "-dense(10)");
  }
  for (const std::string& s : specs) {
    INFO(s);
    std::unique_ptr<Network> net;
    try {
      net = build_network(s, 1);
    } catch (const Error& e) {
      // Only a rate that rounds to 1, or to no normal float, may be refused.
      CHECK_THAT(e.what(), Contains("rounds to 1") || Contains("is not a number"));
      continue;
    }
    const auto again = build_network(net->spec(), 1);
    CHECK(again->spec() == net->spec());
    CHECK(again->param_count() == net->param_count());
    for (size_t l = 0; l < net->layer_count(); ++l)
      if (const auto* d = dynamic_cast<const Dropout*>(&net->layer(l)))
        CHECK(dynamic_cast<const Dropout&>(again->layer(l)).rate() == d->rate());
  }
}

TEST_CASE("spec: inspect_spec counts from shapes alone", "[spec]") {
  const SpecInfo mlp = inspect_spec("DENSE(512) - relu-dense(256)-relu-dense(10)");
  CHECK(mlp.spec == "dense(512)-relu-dense(256)-relu-dense(10)");
  CHECK(mlp.params == 535818);
  CHECK_FALSE(mlp.spatial);
  CHECK(inspect_spec(resolve_spec("cnn")).spatial);
  CHECK(inspect_spec("pool(2)-dense(10)").spatial);
  CHECK(inspect_spec("avgpool(2)-dense(10)").spatial);
  CHECK(inspect_spec("gap-dense(10)").spatial);
  CHECK(inspect_spec("relu-CONV (4,3)-dense(10)").spatial);
  CHECK_FALSE(inspect_spec("flatten-bn-dense(10)").spatial);
  // 65536 * 784 + 65536 + 2 * (65536 * 65536 + 65536) + 65536 * 10 + 10: about
  // 8.6 billion parameters (69 GB with their gradients), which could never be
  // allocated here; counting them allocates nothing of that size.
  const std::string huge = "dense(65536)-dense(65536)-dense(65536)-dense(10)";
  const size_t expected = size_t(65536) * 784 + 65536 + 2 * (size_t(65536) * 65536 + 65536) + 65536 * 10 + 10;
  CHECK(count_params(huge) == expected);
  CHECK(inspect_spec(huge).params == expected);
}

TEST_CASE("spec: the memory a training run needs, from shapes", "[spec]") {
  // dense(10): 7850 parameters, times 4 (weights, gradients, Adam's m and v);
  // a network of dense layers trains as one shard (nn/train/data_parallel.h),
  // so at batch 100 the network's outputs (10 per sample) and backward buffers
  // (2 * 784) hold 100; the input 100 * (784 + 10); the evaluation batch's
  // input, 64 * 784.
  REQUIRE(shard_count(100, false) == 1);
  CHECK(training_bytes("dense(10)", 100) ==
        4 * (4 * 7850 + 100 * (10 + 2 * 784) + 100 * (784 + 10) + 64 * 784));
  // gap-flatten-dense(10): 20 parameters; natively a batch of 100 is cut in 3
  // shards of 34: the network runs the first and the evaluation batches of 64,
  // so its outputs (1 + 1 + 10 per sample) and backward buffers (2 * 784)
  // hold 64; and the replicas of the two other shards: gradients and
  // 34 * (12 + 2 * 784) each, plus one parameter arena while each is built.
  REQUIRE(shard_count(100, true) == 3);
  CHECK(training_bytes("gap-flatten-dense(10)", 100) == 4 * (4 * 20 + 64 * (12 + 2 * 784) + 100 * (784 + 10) +
                                                             64 * 784 + 2 * (20 + 34 * (12 + 2 * 784)) + 20));
  // Evaluation runs batches of kEvalBatch: a smaller training batch needs nearly as much.
  CHECK(training_bytes("dense(10)", 1) == 4 * (4 * 7850 + 64 * (10 + 2 * 784 + 784) + 794));
  // The example of a spec that used to be allocated until the kernel killed the
  // process: two 1024x28x28 outputs (and their backward buffers) per sample.
  const std::string big = "conv(1024,1,same)-conv(1024,3,same)-flatten-dense(10)";
  const uint64_t need = training_bytes(big, 4096);
  CHECK(need > uint64_t(4096) * 1024 * 784 * 4 * 5);  // five 13 GB buffers at least
  CHECK_THROWS_WITH(check_memory(big, 4096, uint64_t(16) << 30),
                    Contains("this model at batch 4096 needs about " + format_bytes(need)) &&
                        Contains("over the limit of 17.2 GB"));
  CHECK_NOTHROW(check_memory("dense(10)", 128, uint64_t(16) << 30));
  // The machine's limit is some part of its memory, never nothing.
  CHECK(memory_limit() > (uint64_t(64) << 20));
  CHECK(format_bytes(812000000) == "812 MB");
  CHECK(format_bytes(65900000000ull) == "65.9 GB");
}

namespace {
// 1024x28x28 per sample through 60 layers, each with its output and its scratch
// (batch-norm inputs, dropout masks): about 1.6 TB at batch 4096.
std::string huge_spec() {
  std::string s = "conv(1024,3,same)";
  for (int i = 0; i < 30; ++i) s += "-bn-dropout";
  return s + "-flatten-dense(10)";
}
}  // namespace

TEST_CASE("spec: describe says what the page needs before any worker starts", "[spec][session]") {
  // The exact reply for a preset at its own batch (mlp's recipe: 128, one
  // shard: dense layers only). bytes: 4 * 535818 (weights, gradients, Adam) +
  // 128 * (1546 outputs + 2 * 784 backward) + 128 * (784 input + 10 logit
  // gradients) + 64 * 784 (the evaluation batch), in floats, times 4.
  REQUIRE(shard_count(128, false) == 1);
  CHECK(Session::describe("mlp") ==
        R"j({"ok":true,"spec":"dense(512)-relu-dense(256)-relu-dense(10)","params":535818,"spatial":false,)j"
        R"j("batch":128,"bytes":10774688,"limit":)j" +
            std::to_string(memory_limit()) + "}");
  CHECK_THAT(Session::describe("cnn"), Contains("\"spatial\":true"));
  // Written any way, a conv net is a conv net.
  CHECK_THAT(Session::describe("CONV (4,3)-relu-dense(10)"),
             Contains("\"spec\":\"conv(4,3)-relu-dense(10)\"") && Contains("\"spatial\":true"));
  CHECK_THAT(Session::describe("dense(10)", 1000),
             Contains("\"batch\":1000,\"bytes\":" + std::to_string(training_bytes("dense(10)", 1000))));
  // Too large for any machine (over 1.5 TB): refused with the estimate and the
  // limit, still saying what the spec is.
  const std::string huge = huge_spec();
  REQUIRE(training_bytes(huge, 4096) > uint64_t(1500) << 30);
  const std::string big = Session::describe(huge, 4096);
  CHECK_THAT(big, StartsWith("{\"ok\":false,\"error\":\"this model at batch 4096 needs about ") &&
                      Contains("\"spatial\":true,\"batch\":4096,\"bytes\":" +
                               std::to_string(training_bytes(huge, 4096))));
  CHECK_THAT(Session::describe("dense(10)-relu"),
             StartsWith("{\"ok\":false,\"error\":\"the last layer must be"));
}
