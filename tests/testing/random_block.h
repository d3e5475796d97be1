#pragma once
// Random valid rows for a schema, from a seed: for round trips and corruption tests.
#include <cstdint>
#include <random>

#include "mmn/data/column_block.h"

namespace mmn::testing {

inline Schema small_schema(bool truth = true) {
  Schema s;
  s.n_types = 3;
  s.n_scenarios = 4;
  s.categorical = {{"user", 100}, {"item", 7}, {"site", 1u << 20}};
  s.dense = {"price", "age"};
  s.has_truth = truth;
  return s;
}

inline ColumnBlock random_block(const Schema& schema, std::size_t rows, std::uint32_t seed) {
  ColumnBlock b(schema, rows);
  std::mt19937 rng(seed);
  for (std::size_t i = 0; i < rows; ++i) {
    b.click[i] = rng() % 2;
    b.conv[i] = b.click[i] != 0 ? rng() % 2 : 0;
    b.type[i] = static_cast<std::uint16_t>(rng() % schema.n_types);
    b.scenario[i] = static_cast<std::uint16_t>(rng() % schema.n_scenarios);
    for (std::size_t f = 0; f < b.categorical.size(); ++f)
      b.categorical[f][i] = static_cast<std::uint32_t>(rng() % schema.categorical[f].vocab_size);
    for (auto& d : b.dense) d[i] = static_cast<float>(rng() % 10000) / 7.0f - 300.0f;
    if (schema.has_truth) {
      b.p_ctr[i] = static_cast<float>(rng() % 1001) / 1000.0f;
      b.p_cvr[i] = static_cast<float>(rng() % 1001) / 1000.0f;
    }
  }
  return b;
}

}  // namespace mmn::testing
