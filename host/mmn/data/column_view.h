#pragma once
// Read-only pointers to the columns of a run of rows, whether they live in a
// ColumnBlock or in a memory-mapped shard.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mmn/data/column_block.h"
#include "mmn/data/schema.h"

namespace mmn {

struct ColumnView {
  std::size_t rows = 0;
  const std::uint8_t* click = nullptr;
  const std::uint8_t* conv = nullptr;
  const std::uint16_t* type = nullptr;
  const std::uint16_t* scenario = nullptr;
  std::vector<const std::uint32_t*> categorical;
  std::vector<const float*> dense;
  const float* p_ctr = nullptr;  // null unless the schema has truth
  const float* p_cvr = nullptr;
  // Each row's domain id (type * n_scenarios + scenario) when the caller has worked it out
  // already (a training step does, for its loss counts); null otherwise.
  const std::uint32_t* domain = nullptr;

  // Rows [begin, end) of this view.
  ColumnView slice(std::size_t begin, std::size_t end) const;
};

ColumnView view_of(const ColumnBlock& block);

// Throws mmn::Error "<where>: row <first_row + i>: <problem>" for the first row that breaks
// the schema: a label not 0/1, conv 1 where click is 0, a type, scenario or categorical id
// out of range, a dense value that is not finite, a probability outside [0, 1].
void validate_rows(const Schema& schema, const ColumnView& rows, const std::string& where,
                   std::uint64_t first_row = 0);

}  // namespace mmn
