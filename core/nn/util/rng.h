#pragma once
// One seeded generator for everything random (init, shuffling, dropout,
// augmentation). Its own distributions, not <random>'s, so that the native
// (libstdc++) and wasm (libc++) builds draw exactly the same numbers.
#include <cmath>
#include <cstdint>

namespace mnist {

class Rng {
 public:
  explicit Rng(uint64_t seed = 1) { reseed(seed); }

  void reseed(uint64_t seed) {
    // splitmix64 spreads any seed, 0 included, over the xoshiro state.
    for (auto& word : s_) {
      seed += 0x9E3779B97F4A7C15ull;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      word = z ^ (z >> 31);
    }
    has_spare_ = false;
  }

  // xoshiro256**
  uint64_t next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 24 bits, exactly representable as float.
  float uniform() { return float(next_u64() >> 40) * (1.0f / 16777216.0f); }
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }

  // Uniform integer in [0, n) without modulo bias worth caring about (n < 2^32).
  uint32_t below(uint32_t n) { return uint32_t(((next_u64() >> 32) * uint64_t(n)) >> 32); }

  // Standard normal by Box-Muller in double, so both builds agree bit for bit.
  float normal() {
    if (has_spare_) {
      has_spare_ = false;
      return float(spare_);
    }
    double u1 = (double(next_u64() >> 11) + 1.0) * (1.0 / 9007199254740993.0);  // (0, 1]
    double u2 = double(next_u64() >> 11) * (1.0 / 9007199254740992.0);
    double r = std::sqrt(-2.0 * std::log(u1));
    double a = 6.283185307179586 * u2;
    spare_ = r * std::sin(a);
    has_spare_ = true;
    return float(r * std::cos(a));
  }

  template <typename T>
  void shuffle(T* data, size_t n) {
    for (size_t i = n; i > 1; --i) {
      size_t j = below(uint32_t(i));
      T tmp = data[i - 1];
      data[i - 1] = data[j];
      data[j] = tmp;
    }
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace mnist
