#pragma once
// mmn's pseudo-random numbers (the synthetic data, initial weights, batch order):
// splitmix64 to derive seeds, xoshiro256** for streams, and samplers built on integer
// arithmetic and on det_math.h, so that a seed gives the same numbers on every compiler and
// standard library (std:: distributions are implementation-defined).
//
// Streams are counter-based: the stream for (seed, purpose, index) depends on
// those three numbers only, so work split into indexed pieces gives the same
// numbers whichever thread draws them and in whatever order.
#include <cstdint>

namespace mmn {

// What a stream is for; part of its seed so that streams never overlap by accident.
enum class RngStream : std::uint64_t {
  domains = 1,      // which domains are absent, traffic ranks
  holdout = 2,      // which domains are held out
  features = 3,     // per-scenario shifts of the feature distributions
  latent = 4,       // per-field-value latent vectors (index: field, chunk)
  effects = 5,      // coefficient vectors and intercepts of the true model
  calibration = 6,  // rows drawn to calibrate intercepts (index: type + 1, or 0 for CTR)
  rows = 7,         // the data rows (index: block)
};

// One step of splitmix64: advances `state` and returns the next output.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// The seed of stream (seed, purpose, index).
inline std::uint64_t stream_seed(std::uint64_t seed, RngStream purpose, std::uint64_t index = 0) {
  std::uint64_t s = seed;
  std::uint64_t h = splitmix64(s);
  s = h ^ (static_cast<std::uint64_t>(purpose) * 0xd1b54a32d192ed03ULL);
  h = splitmix64(s);
  s = h ^ (index * 0x8cb92ba72f3d8dd7ULL);
  return splitmix64(s);
}

// xoshiro256** (Blackman and Vigna) with samplers on top.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    for (auto& word : s_) word = splitmix64(seed);
  }
  Rng(std::uint64_t seed, RngStream purpose, std::uint64_t index = 0) : Rng(stream_seed(seed, purpose, index)) {}

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  std::uint32_t next32() { return static_cast<std::uint32_t>(next() >> 32); }

  // Uniform in [0, 1) with 53 random bits (exact: an integer times 2^-53).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, n), n >= 1, by the multiply-shift method (bias below n / 2^64).
  std::uint64_t below(std::uint64_t n) {
    __extension__ using U128 = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<U128>(next()) * n) >> 64);
  }

  // Standard normal (Marsaglia's polar method; the second value of each pair is kept).
  double normal();

  // Cheap approximate standard normal from one 64-bit draw: the sum of four 16-bit
  // uniforms, centred and scaled to variance 1 (Irwin-Hall; |x| < 3.47).
  float approx_normal() {
    const std::uint64_t x = next();
    const std::int64_t sum = static_cast<std::int64_t>((x & 0xffff) + ((x >> 16) & 0xffff) + ((x >> 32) & 0xffff) +
                                                       (x >> 48));
    // Each 16-bit value k stands for (k + 1/2) / 2^16: the sum of four has mean 2 and variance 1/3,
    // so x = (sum + 2 - 2^17) / 2^16 * sqrt(3) (one rounding: the integer is exact in a float).
    constexpr float kScale = 1.7320508075688772f / 65536.0f;
    return static_cast<float>(sum - 131070) * kScale;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t s_[4];
  double spare_ = 0.0;
  bool has_spare_ = false;
};

// Fisher-Yates shuffle of [first, first + n) driven by `rng`.
template <typename T>
void shuffle(T* first, std::uint64_t n, Rng& rng) {
  for (std::uint64_t i = n; i > 1; --i) {
    const std::uint64_t j = rng.below(i);
    T tmp = first[i - 1];
    first[i - 1] = first[j];
    first[j] = tmp;
  }
}

}  // namespace mmn
