#include "mmn/data/column_block.h"

namespace mmn {
namespace {

template <typename T>
void append_range(std::vector<T>& to, const std::vector<T>& from, std::size_t begin, std::size_t end) {
  to.insert(to.end(), from.begin() + static_cast<std::ptrdiff_t>(begin), from.begin() + static_cast<std::ptrdiff_t>(end));
}

}  // namespace

void ColumnBlock::resize(const Schema& schema, std::size_t rows) {
  click.resize(rows);
  conv.resize(rows);
  type.resize(rows);
  scenario.resize(rows);
  categorical.resize(schema.categorical.size());
  for (auto& c : categorical) c.resize(rows);
  dense.resize(schema.dense.size());
  for (auto& d : dense) d.resize(rows);
  p_ctr.resize(schema.has_truth ? rows : 0);
  p_cvr.resize(schema.has_truth ? rows : 0);
}

void ColumnBlock::reserve(const Schema& schema, std::size_t rows) {
  resize(schema, this->rows());
  click.reserve(rows);
  conv.reserve(rows);
  type.reserve(rows);
  scenario.reserve(rows);
  for (auto& c : categorical) c.reserve(rows);
  for (auto& d : dense) d.reserve(rows);
  if (schema.has_truth) {
    p_ctr.reserve(rows);
    p_cvr.reserve(rows);
  }
}

void ColumnBlock::append(const ColumnBlock& other, std::size_t begin, std::size_t end) {
  if (categorical.size() != other.categorical.size()) categorical.resize(other.categorical.size());
  if (dense.size() != other.dense.size()) dense.resize(other.dense.size());
  append_range(click, other.click, begin, end);
  append_range(conv, other.conv, begin, end);
  append_range(type, other.type, begin, end);
  append_range(scenario, other.scenario, begin, end);
  for (std::size_t f = 0; f < categorical.size(); ++f) append_range(categorical[f], other.categorical[f], begin, end);
  for (std::size_t f = 0; f < dense.size(); ++f) append_range(dense[f], other.dense[f], begin, end);
  if (!other.p_ctr.empty()) {
    append_range(p_ctr, other.p_ctr, begin, end);
    append_range(p_cvr, other.p_cvr, begin, end);
  }
}

void ColumnBlock::clear() {
  click.clear();
  conv.clear();
  type.clear();
  scenario.clear();
  for (auto& c : categorical) c.clear();
  for (auto& d : dense) d.clear();
  p_ctr.clear();
  p_cvr.clear();
}

}  // namespace mmn
