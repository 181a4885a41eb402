#include "nn/model/serialize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "nn/model/spec.h"
#include "nn/util/check.h"

namespace mnist {
namespace {

constexpr char kMagic[8] = {'M', 'N', 'L', 'A', 'B', 'W', '0', '1'};
constexpr uint32_t kVersion = 1;

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(uint8_t(v >> (8 * i)));
}
void put_u64(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(uint8_t(v >> (8 * i)));
}

class Reader {
 public:
  Reader(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  uint32_t u32(const char* what) { return uint32_t(take(4, what)); }
  uint64_t u64(const char* what) { return take(8, what); }
  const uint8_t* bytes(size_t k, const char* what) {
    check(k <= n_ - pos_, "weights file is truncated (in the ", what, ")");
    const uint8_t* at = p_ + pos_;
    pos_ += k;
    return at;
  }
  size_t pos() const { return pos_; }
  size_t left() const { return n_ - pos_; }

 private:
  uint64_t take(int k, const char* what) {
    const uint8_t* b = bytes(size_t(k), what);
    uint64_t v = 0;
    for (int i = 0; i < k; ++i) v |= uint64_t(b[i]) << (8 * i);
    return v;
  }
  const uint8_t* p_;
  size_t n_, pos_ = 0;
};

// The file's order: layer after layer, its parameters then its state.
std::vector<float> file_values(const Network& net) {
  std::vector<float> v;
  v.reserve(net.total_count());
  for (size_t i = 0; i < net.layer_count(); ++i) {
    const Layer& l = net.layer(i);
    const float* p = net.params() + net.param_offset(i);
    v.insert(v.end(), p, p + l.param_count());
    if (l.state_count()) {
      const float* s = net.state() + net.state_offset(i);
      v.insert(v.end(), s, s + l.state_count());
    }
  }
  return v;
}

// values: (net.total_count()) in the file's order -> the two arenas.
void set_file_values(Network& net, const std::vector<float>& values) {
  const float* v = values.data();
  for (size_t i = 0; i < net.layer_count(); ++i) {
    const Layer& l = net.layer(i);
    std::copy_n(v, l.param_count(), net.params() + net.param_offset(i));
    v += l.param_count();
    if (l.state_count()) {
      std::copy_n(v, l.state_count(), net.state() + net.state_offset(i));
      v += l.state_count();
    }
  }
}

}  // namespace

uint64_t fnv1a64(const uint8_t* bytes, size_t size) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < size; ++i) {
    h ^= bytes[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u) return uint16_t(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0));  // inf/nan
  if (abs >= 0x477ff000u) return uint16_t(sign | 0x7c00u);                                     // overflow
  if (abs < 0x38800000u) {                       // subnormal half
    const float a = std::fabs(f) * 16777216.0f;  // / 2^-24
    return uint16_t(sign | uint32_t(std::nearbyint(a)));
  }
  // Round to nearest even on the 13 dropped mantissa bits.
  const uint32_t rounded = abs + 0xfffu + ((abs >> 13) & 1u);
  return uint16_t(sign | ((rounded - 0x38000000u) >> 13));
}

float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
  float out;
  if (exp == 0) {
    out = std::ldexp(float(mant), -24);
    if (sign) out = -out;
    return out;
  }
  const uint32_t bits =
      exp == 31 ? (sign | 0x7f800000u | (mant << 13)) : (sign | ((exp + 112) << 23) | (mant << 13));
  std::memcpy(&out, &bits, 4);
  return out;
}

std::vector<uint8_t> save_weights(const Network& net, WeightsType type) {
  std::vector<uint8_t> out(kMagic, kMagic + 8);
  put_u32(out, kVersion);
  put_u32(out, uint32_t(type));
  put_u32(out, uint32_t(net.spec().size()));
  out.insert(out.end(), net.spec().begin(), net.spec().end());
  const std::vector<float> values = file_values(net);
  put_u64(out, values.size());
  const float* p = values.data();
  for (size_t i = 0; i < values.size(); ++i) {
    if (type == WeightsType::F16) {
      const uint16_t h = float_to_half(p[i]);
      out.push_back(uint8_t(h));
      out.push_back(uint8_t(h >> 8));
    } else {
      uint32_t bits;
      std::memcpy(&bits, &p[i], 4);
      put_u32(out, bits);
    }
  }
  put_u64(out, fnv1a64(out.data(), out.size()));
  return out;
}

Weights parse_weights(const uint8_t* bytes, size_t size) {
  check(size > 0, "weights file is empty");
  check(size >= 8 && std::memcmp(bytes, kMagic, 8) == 0, "not an mnist-lab weights file (bad magic)");
  Reader r(bytes, size);
  r.bytes(8, "magic");
  const uint32_t version = r.u32("header");
  check(version == kVersion, "weights file version ", version, " is not supported (this build reads ",
        kVersion, ")");
  const uint32_t dtype = r.u32("header");
  check(dtype <= 1, "weights file has unknown value type ", dtype);
  const uint32_t spec_len = r.u32("header");
  check(spec_len > 0 && spec_len <= kMaxSpecLength, "weights file has a bad spec length ", spec_len);
  const uint8_t* spec_bytes = r.bytes(spec_len, "spec");
  Weights w;
  w.spec.assign(reinterpret_cast<const char*>(spec_bytes), spec_len);
  const uint64_t count = r.u64("header");
  const size_t width = dtype == 1 ? 2 : 4;
  check(count <= (uint64_t(1) << 28), "weights file declares an absurd parameter count ", count);
  check(r.left() >= 8 && (r.left() - 8) / width >= count && r.left() - 8 >= count * width,
        "weights file is truncated: it declares ", count, " parameters");
  check(r.left() - 8 == count * width, "weights file has ", r.left() - 8 - count * width,
        " unexpected extra bytes");
  const size_t data_at = r.pos();
  r.bytes(count * width, "parameters");
  const uint64_t stored = r.u64("checksum");
  check(stored == fnv1a64(bytes, size - 8), "weights file is corrupt (checksum mismatch)");
  // Only now is the spec trusted enough to build from.
  size_t expected;
  try {
    expected = count_params(w.spec);
  } catch (const Error& e) {
    fail("weights file holds an invalid spec: ", e.what());
  }
  check(expected == count, "weights file has ", count, " parameters but its spec needs ", expected);
  w.params.resize(count);
  const uint8_t* d = bytes + data_at;
  for (size_t i = 0; i < count; ++i) {
    if (dtype == 1) {
      w.params[i] = half_to_float(uint16_t(d[2 * i] | (d[2 * i + 1] << 8)));
    } else {
      const uint32_t bits = uint32_t(d[4 * i]) | uint32_t(d[4 * i + 1]) << 8 | uint32_t(d[4 * i + 2]) << 16 |
                            uint32_t(d[4 * i + 3]) << 24;
      std::memcpy(&w.params[i], &bits, 4);
    }
    check(std::isfinite(w.params[i]), "weights file holds a non-finite value at parameter ", i);
  }
  return w;
}

std::unique_ptr<Network> load_network(const uint8_t* bytes, size_t size) {
  Weights w = parse_weights(bytes, size);
  auto net = build_network(w.spec, 0);
  set_file_values(*net, w.params);
  return net;
}

}  // namespace mnist
