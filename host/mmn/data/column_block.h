#pragma once
// Rows held column by column in memory: what writers take and loaders fill.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mmn/data/schema.h"

namespace mmn {

struct ColumnBlock {
  std::vector<std::uint8_t> click;
  std::vector<std::uint8_t> conv;
  std::vector<std::uint16_t> type;
  std::vector<std::uint16_t> scenario;
  std::vector<std::vector<std::uint32_t>> categorical;  // [field][row]
  std::vector<std::vector<float>> dense;                // [field][row]
  std::vector<float> p_ctr;                             // empty unless the schema has truth
  std::vector<float> p_cvr;

  ColumnBlock() = default;
  ColumnBlock(const Schema& schema, std::size_t rows) { resize(schema, rows); }

  std::size_t rows() const { return click.size(); }
  void resize(const Schema& schema, std::size_t rows);
  void reserve(const Schema& schema, std::size_t rows);
  // Appends rows [begin, end) of `other`, which has the same shape.
  void append(const ColumnBlock& other, std::size_t begin, std::size_t end);
  void append(const ColumnBlock& other) { append(other, 0, other.rows()); }
  void clear();
};

}  // namespace mmn
