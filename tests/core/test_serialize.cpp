// The weights file: round trips, the documented layout, and every kind of
// damage detected before any model is touched. Also the float16 conversions.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "nn/model/serialize.h"
#include "nn/model/spec.h"
#include "nn/util/check.h"

using namespace mnist;
using Catch::Contains;

namespace {

using Bytes = std::vector<uint8_t>;

void put_u32(Bytes& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(uint8_t(v >> (8 * i)));
}
void put_u64(Bytes& b, uint64_t v) {
  for (int i = 0; i < 8; ++i) b.push_back(uint8_t(v >> (8 * i)));
}

// Recomputes the trailing checksum after a deliberate edit, so that only the edit is wrong.
void reseal(Bytes& b) {
  const uint64_t h = fnv1a64(b.data(), b.size() - 8);
  for (int i = 0; i < 8; ++i) b[b.size() - 8 + size_t(i)] = uint8_t(h >> (8 * i));
}

// A weights file written from the layout documented in serialize.h, independently
// of save_weights: magic, u32 version, u32 dtype, u32 spec_len, spec, u64 count,
// float32 data, u64 FNV-1a checksum.
Bytes weights_file(const std::string& spec, const std::vector<float>& params, uint64_t count,
                   uint32_t version = 1) {
  Bytes b = {'M', 'N', 'L', 'A', 'B', 'W', '0', '1'};
  put_u32(b, version);
  put_u32(b, 0);
  put_u32(b, uint32_t(spec.size()));
  b.insert(b.end(), spec.begin(), spec.end());
  put_u64(b, count);
  for (float p : params) {
    uint32_t bits;
    std::memcpy(&bits, &p, 4);
    put_u32(b, bits);
  }
  put_u64(b, 0);
  reseal(b);
  return b;
}

Weights parse(const Bytes& b) { return parse_weights(b.data(), b.size()); }

// The smallest model there is: 28x28 pooled to 2x2, then dense(10): 4*10 + 10 = 50 parameters.
constexpr const char* kTinySpec = "pool(14)-dense(10)";

std::vector<float> ramp_params(size_t n) {
  std::vector<float> p(n);
  for (size_t i = 0; i < n; ++i) p[i] = 0.25f * float(i) - 3.0f;
  return p;
}

}  // namespace

TEST_CASE("serialize: FNV-1a 64 matches its published test vectors", "[serialize]") {
  CHECK(fnv1a64(nullptr, 0) == 0xcbf29ce484222325ull);
  const uint8_t a[] = {'a'};
  CHECK(fnv1a64(a, 1) == 0xaf63dc4c8601ec8cull);
  const uint8_t foobar[] = {'f', 'o', 'o', 'b', 'a', 'r'};
  CHECK(fnv1a64(foobar, 6) == 0x85944171f73967e8ull);
}

TEST_CASE("serialize: the file follows the documented layout", "[serialize]") {
  auto net = build_network(kTinySpec, 1);
  REQUIRE(net->param_count() == 50);
  const std::vector<float> p = ramp_params(50);
  std::copy(p.begin(), p.end(), net->params());
  const Bytes by_hand = weights_file(kTinySpec, p, 50);
  // 8 magic + 12 header + 18 spec + 8 count + 200 data + 8 checksum
  CHECK(by_hand.size() == 254);
  CHECK(save_weights(*net) == by_hand);
  const Weights w = parse(by_hand);
  CHECK(w.spec == kTinySpec);
  CHECK(w.params == p);
}

TEST_CASE("serialize: float32 round trip is bit-exact", "[serialize]") {
  for (const char* spec :
       {"conv(2,3)-relu-pool(2)-dense(10)", "conv(4,3,same)-relu-avgpool(2)-conv(4,3)-gap-dense(10)"}) {
    INFO(spec);
    auto net = build_network(spec, 9);
    const Bytes file = save_weights(*net, WeightsType::F32);
    CHECK(file.size() == 8 + 12 + net->spec().size() + 8 + 4 * net->param_count() + 8);
    const Weights w = parse(file);
    CHECK(w.spec == net->spec());
    REQUIRE(w.params.size() == net->param_count());
    CHECK(std::memcmp(w.params.data(), net->params(), 4 * w.params.size()) == 0);

    auto loaded = load_network(file.data(), file.size());
    CHECK(loaded->spec() == net->spec());
    REQUIRE(loaded->param_count() == net->param_count());
    CHECK(std::memcmp(loaded->params(), net->params(), 4 * net->param_count()) == 0);
    std::vector<float> x(kImagePixels);
    for (int i = 0; i < kImagePixels; ++i) x[size_t(i)] = float(i % 29) / 28.0f;
    const float* a = net->forward(x.data(), 1, false);
    const std::vector<float> la(a, a + 10);
    const float* b = loaded->forward(x.data(), 1, false);
    CHECK(std::equal(la.begin(), la.end(), b));
  }
}

TEST_CASE("serialize: batch norm's running statistics are saved and loaded in their layer's place",
          "[serialize][bn]") {
  // dense(4): 3136 + 4; bn: gamma, beta (4 each) in the arena, running mean and
  // variance (4 each) in the state; dense(10): 40 + 10. The file holds each
  // layer's parameters then its state, as files did when the statistics were
  // the last 2C of each bn layer's arena slice: a file written then loads.
  const std::string spec = "dense(4)-bn-relu-dense(10)";
  std::vector<float> values(3140 + 16 + 50);
  for (size_t i = 0; i < values.size(); ++i) values[i] = float(i % 97) / 97.0f + 0.5f;
  const Bytes file = weights_file(spec, values, values.size());
  const auto net = load_network(file.data(), file.size());
  REQUIRE(net->param_count() == 3140 + 8 + 50);
  REQUIRE(net->state_count() == 8);
  CHECK(std::equal(values.begin(), values.begin() + 3148, net->params()));
  CHECK(std::equal(values.begin() + 3148, values.begin() + 3156, net->state()));
  CHECK(std::equal(values.begin() + 3156, values.end(), net->params() + 3148));
  CHECK(save_weights(*net) == file);  // and written back byte for byte

  // Statistics a training forward moved come back bit for bit.
  auto trained = build_network(spec, 2);
  std::vector<float> x(3 * 784);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i % 13) / 13.0f;
  trained->forward(x.data(), 3, true);
  const Bytes saved = save_weights(*trained);
  const auto again = load_network(saved.data(), saved.size());
  CHECK(std::memcmp(again->state(), trained->state(), 4 * trained->state_count()) == 0);
  CHECK(std::memcmp(again->params(), trained->params(), 4 * trained->param_count()) == 0);
  CHECK(std::memcmp(again->forward(x.data(), 3, false), trained->forward(x.data(), 3, false), 4 * 30) == 0);
}

TEST_CASE("serialize: float16 round trip is within half precision", "[serialize]") {
  auto net = build_network("conv(2,3)-relu-pool(2)-dense(10)", 9);
  // Some biases too, including ones in the half subnormal range (< 2^-14).
  const size_t n = net->param_count();
  net->params()[n - 1] = 3e-6f;
  net->params()[n - 2] = -0.1f;
  const Bytes file = save_weights(*net, WeightsType::F16);
  CHECK(file.size() == 8 + 12 + net->spec().size() + 8 + 2 * n + 8);
  const Weights w = parse(file);
  REQUIRE(w.params.size() == n);
  for (size_t i = 0; i < n; ++i) {
    const float p = net->params()[i];
    // Round to nearest: half a unit in the last place of an 11-bit significand,
    // or half the subnormal step 2^-24.
    const float bound = std::max(std::fabs(p) * std::ldexp(1.0f, -11), std::ldexp(1.0f, -25));
    if (std::fabs(w.params[i] - p) > bound)
      FAIL("parameter " << i << ": " << p << " came back as " << w.params[i]);
  }
}

TEST_CASE("serialize: every flipped byte is detected", "[serialize]") {
  auto net = build_network(kTinySpec, 2);
  for (WeightsType type : {WeightsType::F32, WeightsType::F16}) {
    const Bytes good = save_weights(*net, type);
    REQUIRE_NOTHROW(parse(good));
    for (size_t i = 0; i < good.size(); ++i)
      for (uint8_t mask : {uint8_t(0x01), uint8_t(0x80), uint8_t(0xff)}) {
        Bytes bad = good;
        bad[i] ^= mask;
        INFO("byte " << i << " of " << good.size() << " ^ " << int(mask));
        CHECK_THROWS_AS(parse(bad), Error);
        CHECK_THROWS_AS(load_network(bad.data(), bad.size()), Error);
      }
  }
  // Where each part lives, the reason given: magic, header, spec, data, checksum.
  Bytes bad = save_weights(*net);
  bad[0] = 'X';
  CHECK_THROWS_WITH(parse(bad), Contains("bad magic"));
  bad = save_weights(*net);
  bad[8 + 12 + 3] ^= 1;  // in the spec
  CHECK_THROWS_WITH(parse(bad), Contains("checksum mismatch"));
  bad = save_weights(*net);
  bad[100] ^= 1;  // in the data
  CHECK_THROWS_WITH(parse(bad), Contains("checksum mismatch"));
  bad = save_weights(*net);
  bad.back() ^= 1;  // in the checksum itself
  CHECK_THROWS_WITH(parse(bad), Contains("checksum mismatch"));
}

TEST_CASE("serialize: every truncation is detected", "[serialize]") {
  auto net = build_network(kTinySpec, 2);
  const Bytes good = save_weights(*net);
  for (size_t len = 0; len < good.size(); ++len) {
    INFO("first " << len << " bytes");
    CHECK_THROWS_AS(parse_weights(good.data(), len), Error);
  }
  CHECK_THROWS_WITH(parse_weights(good.data(), 0), Contains("empty"));
  CHECK_THROWS_WITH(parse_weights(good.data(), 6), Contains("bad magic"));
  CHECK_THROWS_WITH(parse_weights(good.data(), 14), Contains("truncated (in the header)"));
  CHECK_THROWS_WITH(parse_weights(good.data(), 30), Contains("truncated (in the spec)"));
  CHECK_THROWS_WITH(parse_weights(good.data(), 100), Contains("truncated: it declares 50 parameters"));
  CHECK_THROWS_WITH(parse_weights(good.data(), good.size() - 1), Contains("truncated"));
}

TEST_CASE("serialize: foreign, future and inconsistent files are refused", "[serialize]") {
  const Bytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
  CHECK_THROWS_WITH(parse(png), Contains("not an mnist-lab weights file"));

  const std::vector<float> p = ramp_params(50);
  CHECK_NOTHROW(parse(weights_file(kTinySpec, p, 50)));
  CHECK_THROWS_WITH(parse(weights_file(kTinySpec, p, 50, 2)), Contains("version 2 is not supported"));

  Bytes dtype = weights_file(kTinySpec, p, 50);
  dtype[12] = 7;
  reseal(dtype);
  CHECK_THROWS_WITH(parse(dtype), Contains("unknown value type 7"));

  // Four bytes more than the declared count needs, before the checksum.
  Bytes extra = weights_file(kTinySpec, p, 50);
  extra.insert(extra.end() - 8, 4, 0);
  reseal(extra);
  CHECK_THROWS_WITH(parse(extra), Contains("4 unexpected extra bytes"));

  // A valid spec whose parameter count is not the file's.
  CHECK_THROWS_WITH(parse(weights_file("dense(10)", p, 50)),
                    Contains("has 50 parameters but its spec needs 7850"));
  // A small file whose spec declares 8.6 billion parameters: the count is
  // compared from shapes, without building (69 GB) or refusing the spec.
  CHECK_THROWS_WITH(parse(weights_file("dense(65536)-dense(65536)-dense(65536)-dense(10)", {}, 0)),
                    Contains("has 0 parameters but its spec needs 8642166794"));
  // A spec that does not parse, quoted escaped.
  CHECK_THROWS_WITH(parse(weights_file("dense(11)", p, 50)), Contains("holds an invalid spec"));
  CHECK_THROWS_WITH(parse(weights_file("\x1b[31mdense(10)", p, 50)),
                    Contains("unknown layer '\\x1b[31mdense'"));
  CHECK_THROWS_WITH(parse(weights_file("", p, 50)), Contains("bad spec length 0"));
  // A count no file could hold.
  CHECK_THROWS_WITH(parse(weights_file(kTinySpec, p, uint64_t(1) << 40)), Contains("absurd parameter count"));
  // A NaN in the data, with a correct checksum.
  std::vector<float> nan = p;
  nan[3] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(parse(weights_file(kTinySpec, nan, 50)), Contains("non-finite value at parameter 3"));
}

TEST_CASE("serialize: float16 conversions", "[serialize]") {
  // sign | 5-bit exponent (bias 15) | 10-bit mantissa
  CHECK(float_to_half(0.0f) == 0x0000);
  CHECK(float_to_half(-0.0f) == 0x8000);
  CHECK(float_to_half(1.0f) == 0x3c00);                   // 2^0: exponent 15
  CHECK(float_to_half(-2.5f) == 0xc100);                  // -1.25 * 2^1: exponent 16, mantissa 0x100
  CHECK(float_to_half(65504.0f) == 0x7bff);               // the largest half
  CHECK(float_to_half(1e-7f) == 0x0002);                  // 1e-7 / 2^-24 = 1.68 -> 2 subnormal steps
  CHECK(float_to_half(std::ldexp(1.0f, -24)) == 0x0001);  // the smallest subnormal
  CHECK(float_to_half(std::ldexp(1.0f, -14)) == 0x0400);  // the smallest normal
  CHECK(float_to_half(INFINITY) == 0x7c00);
  CHECK(float_to_half(-INFINITY) == 0xfc00);
  CHECK(float_to_half(1e6f) == 0x7c00);      // overflow goes to infinity
  CHECK(float_to_half(65520.0f) == 0x7c00);  // halfway to 2^16 rounds (to even) up
  CHECK(float_to_half(65519.0f) == 0x7bff);
  const uint16_t nan = float_to_half(std::numeric_limits<float>::quiet_NaN());
  CHECK((nan & 0x7c00) == 0x7c00);
  CHECK((nan & 0x03ff) != 0);

  // Round to nearest even: 1 + 2^-11 is halfway between 1 (0x3c00, even) and
  // 1 + 2^-10 (0x3c01); 1 + 3 * 2^-11 is halfway between 0x3c01 and 0x3c02 (even).
  CHECK(float_to_half(1.0f + std::ldexp(1.0f, -11)) == 0x3c00);
  CHECK(float_to_half(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3c02);
  CHECK(float_to_half(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)) == 0x3c01);  // just above halfway
  // And in the subnormal range: 2.5 steps -> 2, 3.5 steps -> 4.
  CHECK(float_to_half(2.5f * std::ldexp(1.0f, -24)) == 0x0002);
  CHECK(float_to_half(3.5f * std::ldexp(1.0f, -24)) == 0x0004);

  CHECK(half_to_float(0x3c00) == 1.0f);
  CHECK(half_to_float(0xc100) == -2.5f);
  CHECK(half_to_float(0x7bff) == 65504.0f);
  CHECK(half_to_float(0x0001) == std::ldexp(1.0f, -24));
  CHECK(half_to_float(0x8001) == -std::ldexp(1.0f, -24));
  CHECK(half_to_float(0x3555) == 0.333251953125f);  // (1 + 341/1024) / 4
  CHECK(half_to_float(0x7c00) == INFINITY);
  CHECK(std::isnan(half_to_float(0x7e00)));

  // Every half but NaN survives half -> float -> half.
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00 && (h & 0x03ff)) continue;
    if (float_to_half(half_to_float(uint16_t(h))) != h)
      FAIL("half 0x" << std::hex << h << " does not round trip");
  }
}
