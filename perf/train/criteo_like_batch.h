#pragma once
// A random batch in the shape of the `criteo-like` configuration: 17 categorical
// fields (vocabularies 10 .. 10^6; 10^3 in smoke runs), 4 dense features, 17 x 21 domains with Zipf
// traffic. For benchmarks only: the values carry no signal.
#include <cmath>
#include <cstdint>
#include <random>

#include "mmn/data/column_block.h"
#include "run_mode.h"

namespace mmn::perf {

inline Schema criteo_like_schema() {
  Schema s;
  s.n_types = 17;
  s.n_scenarios = 21;
  for (int f = 0; f < 17; ++f) {
    // smoke runs: vocabularies up to 10^3 (building 10^6-row tables is most of their time)
    const double top = smoke() ? 2.0 : 5.0;
    const auto vocab = static_cast<std::uint64_t>(std::pow(10.0, 1.0 + top * f / 16.0));
    s.categorical.push_back({"C" + std::to_string(f + 1), vocab});
  }
  s.dense = {"I1", "I2", "I3", "I4"};
  return s;
}

inline ColumnBlock criteo_like_batch(const Schema& s, std::size_t rows, std::uint32_t seed) {
  ColumnBlock b(s, rows);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (std::size_t i = 0; i < rows; ++i) {
    // Zipf-like over the 357 domains: low domain ranks dominate.
    const auto rank = static_cast<std::uint32_t>(std::pow(u(rng), 2.5) * 357.0) % 357;
    b.type[i] = static_cast<std::uint16_t>(rank / 21);
    b.scenario[i] = static_cast<std::uint16_t>(rank % 21);
    b.click[i] = u(rng) < 0.2;
    b.conv[i] = b.click[i] != 0 && u(rng) < 0.1;
    for (std::size_t f = 0; f < s.categorical.size(); ++f)
      b.categorical[f][i] = static_cast<std::uint32_t>(std::pow(u(rng), 3.0) * static_cast<double>(s.categorical[f].vocab_size));
    for (auto& d : b.dense) d[i] = static_cast<float>(u(rng));
  }
  return b;
}

}  // namespace mmn::perf
