#pragma once
// The columns a schema implies, in file order, with display names for messages.
#include <string>
#include <vector>

#include "mmn/data/schema.h"
#include "mmn/data/shard_format.h"

namespace mmn::shard {

struct ColumnSpec {
  Role role;
  std::uint32_t field;
  ElemType elem_type;
  std::string name;  // "click", "conv", "type", "scenario", the field's name, "p_ctr", "p_cvr"
};

std::vector<ColumnSpec> columns_of(const Schema& schema);

}  // namespace mmn::shard

#include "mmn/data/column_view.h"

namespace mmn::shard {

// Where the values of column `spec` start in `view`.
const void* column_data(const ColumnView& view, const ColumnSpec& spec);

}  // namespace mmn::shard
