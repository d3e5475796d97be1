#include "mmn/data/shard_layout.h"

namespace mmn::shard {

std::vector<ColumnSpec> columns_of(const Schema& schema) {
  std::vector<ColumnSpec> cols = {{Role::click, 0, ElemType::u8, "click"},
                                  {Role::conv, 0, ElemType::u8, "conv"},
                                  {Role::type, 0, ElemType::u16, "type"},
                                  {Role::scenario, 0, ElemType::u16, "scenario"}};
  for (std::uint32_t f = 0; f < schema.categorical.size(); ++f)
    cols.push_back({Role::categorical, f, ElemType::u32, schema.categorical[f].name});
  for (std::uint32_t f = 0; f < schema.dense.size(); ++f) cols.push_back({Role::dense, f, ElemType::f32, schema.dense[f]});
  if (schema.has_truth) {
    cols.push_back({Role::p_ctr, 0, ElemType::f32, "p_ctr"});
    cols.push_back({Role::p_cvr, 0, ElemType::f32, "p_cvr"});
  }
  return cols;
}

}  // namespace mmn::shard

namespace mmn::shard {

const void* column_data(const ColumnView& v, const ColumnSpec& spec) {
  switch (spec.role) {
    case Role::click: return v.click;
    case Role::conv: return v.conv;
    case Role::type: return v.type;
    case Role::scenario: return v.scenario;
    case Role::categorical: return v.categorical.at(spec.field);
    case Role::dense: return v.dense.at(spec.field);
    case Role::p_ctr: return v.p_ctr;
    case Role::p_cvr: return v.p_cvr;
  }
  return nullptr;
}

}  // namespace mmn::shard
