#pragma once
// Helpers for the ingest tests: writing inputs, running an ingest, reading a data set back.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "mmn/data/column_block.h"
#include "mmn/data/dataset.h"
#include "mmn/ingest/ingest_schema.h"
#include "mmn/ingest/ingester.h"
#include "mmn/util/checksum.h"
#include "mmn/util/error.h"
#include "testing/error_of.h"

namespace mmn::ingest::testing {

inline std::string fixture(const std::string& name) { return std::string(MMN_TEST_DATA_DIR) + "/ingest/" + name; }

inline void write_file(const std::string& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  ASSERT_TRUE(out.good()) << path;
}

using mmn::testing::error_of;

// Every row of a data set, in order, in one block.
inline ColumnBlock read_all(const Dataset& ds) {
  ColumnBlock all(ds.schema(), 0);
  for (const auto& shard : ds.shards()) {
    const ColumnView& v = shard.columns();
    ColumnBlock b(ds.schema(), v.rows);
    for (std::size_t i = 0; i < v.rows; ++i) {
      b.click[i] = v.click[i];
      b.conv[i] = v.conv[i];
      b.type[i] = v.type[i];
      b.scenario[i] = v.scenario[i];
      for (std::size_t f = 0; f < v.categorical.size(); ++f) b.categorical[f][i] = v.categorical[f][i];
      for (std::size_t f = 0; f < v.dense.size(); ++f) b.dense[f][i] = v.dense[f][i];
      if (v.p_ctr != nullptr) {
        b.p_ctr[i] = v.p_ctr[i];
        b.p_cvr[i] = v.p_cvr[i];
      }
    }
    all.append(b);
  }
  return all;
}

inline bool same_rows(const ColumnBlock& a, const ColumnBlock& b) {
  return a.click == b.click && a.conv == b.conv && a.type == b.type && a.scenario == b.scenario &&
         a.categorical == b.categorical && a.dense == b.dense && a.p_ctr == b.p_ctr && a.p_cvr == b.p_cvr;
}

// The hashed id the ingest documents: 1 + floor(hash * (V - 1) / 2^64), computed here
// independently of the library's helper.
inline std::uint32_t expected_hash_id(std::string_view value, std::uint64_t vocab, std::uint64_t seed = 0) {
  const std::uint64_t h = stable_hash64(value, seed);
  // 64x64 -> high 64 bits from 32-bit halves.
  const std::uint64_t n = vocab - 1;
  const std::uint64_t h_lo = h & 0xffffffffu, h_hi = h >> 32, n_lo = n & 0xffffffffu, n_hi = n >> 32;
  const std::uint64_t lo_lo = h_lo * n_lo, hi_lo = h_hi * n_lo, lo_hi = h_lo * n_hi, hi_hi = h_hi * n_hi;
  const std::uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xffffffffu) + lo_hi;
  const std::uint64_t high = hi_hi + (hi_lo >> 32) + (cross >> 32);
  return static_cast<std::uint32_t>(1 + high);
}

}  // namespace mmn::ingest::testing
