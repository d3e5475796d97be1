#pragma once
// A data set whose rows say which they are: the 'site' id of row i is i (small_schema,
// 3 types x 4 scenarios, shards of 300 rows in groups of 70), for batch-order tests.
#include <string>

#include "mmn/data/dataset.h"
#include "testing/random_block.h"
#include "testing/temp_dir.h"

namespace mmn::testing {

inline std::string write_numbered_rows(const TempDir& tmp, std::size_t rows) {
  const Schema schema = small_schema(false);
  ColumnBlock b = random_block(schema, rows, 1);
  for (std::size_t i = 0; i < rows; ++i) b.categorical[2][i] = static_cast<std::uint32_t>(i);
  const std::string dir = tmp / "ds";
  DatasetWriter w(dir, schema, {300, 70, false});
  w.append(view_of(b));
  Dictionaries d;
  d.types = {"a", "b", "c"};
  d.scenarios = {"w", "x", "y", "z"};
  w.commit(d);
  return dir;
}

}  // namespace mmn::testing
