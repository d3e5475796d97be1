#include "mmn/data/column_view.h"

#include <cmath>

#include "mmn/util/error.h"

namespace mmn {

ColumnView ColumnView::slice(std::size_t begin, std::size_t end) const {
  ColumnView v;
  v.rows = end - begin;
  v.click = click + begin;
  v.conv = conv + begin;
  v.type = type + begin;
  v.scenario = scenario + begin;
  for (const auto* c : categorical) v.categorical.push_back(c + begin);
  for (const auto* d : dense) v.dense.push_back(d + begin);
  if (p_ctr != nullptr) {
    v.p_ctr = p_ctr + begin;
    v.p_cvr = p_cvr + begin;
  }
  if (domain != nullptr) v.domain = domain + begin;
  return v;
}

ColumnView view_of(const ColumnBlock& block) {
  ColumnView v;
  v.rows = block.rows();
  v.click = block.click.data();
  v.conv = block.conv.data();
  v.type = block.type.data();
  v.scenario = block.scenario.data();
  for (const auto& c : block.categorical) v.categorical.push_back(c.data());
  for (const auto& d : block.dense) v.dense.push_back(d.data());
  if (!block.p_ctr.empty()) {
    v.p_ctr = block.p_ctr.data();
    v.p_cvr = block.p_cvr.data();
  }
  return v;
}

namespace {

// Index of the first element failing `ok`, or n. Written as a branch-free scan
// per chunk so the common all-valid case runs at memory speed.
template <typename T, typename Ok>
std::size_t first_bad(const T* values, std::size_t n, Ok ok) {
  constexpr std::size_t kChunk = 1024;
  for (std::size_t base = 0; base < n; base += kChunk) {
    const std::size_t end = base + kChunk < n ? base + kChunk : n;
    bool all = true;
    for (std::size_t i = base; i < end; ++i) all &= ok(values[i]);
    if (!all) {
      for (std::size_t i = base; i < end; ++i)
        if (!ok(values[i])) return i;
    }
  }
  return n;
}

}  // namespace

void validate_rows(const Schema& schema, const ColumnView& v, const std::string& where, std::uint64_t first_row) {
  const std::size_t n = v.rows;
  auto row = [&](std::size_t i) { return first_row + i; };
  if (v.categorical.size() != schema.categorical.size() || v.dense.size() != schema.dense.size() ||
      (v.p_ctr != nullptr) != schema.has_truth)
    fail("{}: columns do not match the schema", where);

  auto binary = [](std::uint8_t x) { return x <= 1; };
  if (std::size_t i = first_bad(v.click, n, binary); i < n)
    fail("{}: row {}: click label is {}, must be 0 or 1", where, row(i), v.click[i]);
  if (std::size_t i = first_bad(v.conv, n, binary); i < n)
    fail("{}: row {}: conversion label is {}, must be 0 or 1", where, row(i), v.conv[i]);
  {
    bool all = true;
    for (std::size_t i = 0; i < n; ++i) all &= v.conv[i] <= v.click[i];
    if (!all)
      for (std::size_t i = 0; i < n; ++i)
        if (v.conv[i] > v.click[i]) fail("{}: row {}: conversion is 1 but click is 0", where, row(i));
  }
  const auto n_types = schema.n_types;
  if (std::size_t i = first_bad(v.type, n, [&](std::uint16_t t) { return t < n_types; }); i < n)
    fail("{}: row {}: type id {} is not below the number of types {}", where, row(i), v.type[i], n_types);
  const auto n_scenarios = schema.n_scenarios;
  if (std::size_t i = first_bad(v.scenario, n, [&](std::uint16_t s) { return s < n_scenarios; }); i < n)
    fail("{}: row {}: scenario id {} is not below the number of scenarios {}", where, row(i), v.scenario[i],
         n_scenarios);
  for (std::size_t f = 0; f < schema.categorical.size(); ++f) {
    const std::uint64_t vocab = schema.categorical[f].vocab_size;
    if (std::size_t i = first_bad(v.categorical[f], n, [&](std::uint32_t id) { return id < vocab; }); i < n)
      fail("{}: row {}: categorical field '{}' has id {}, not below its vocabulary size {}", where, row(i),
           schema.categorical[f].name, v.categorical[f][i], vocab);
  }
  for (std::size_t f = 0; f < schema.dense.size(); ++f) {
    if (std::size_t i = first_bad(v.dense[f], n, [](float x) { return std::isfinite(x); }); i < n)
      fail("{}: row {}: dense field '{}' is {}, must be finite", where, row(i), schema.dense[f], v.dense[f][i]);
  }
  if (schema.has_truth) {
    auto probability = [](float p) { return p >= 0.0f && p <= 1.0f; };
    if (std::size_t i = first_bad(v.p_ctr, n, probability); i < n)
      fail("{}: row {}: p_ctr is {}, must be in [0, 1]", where, row(i), v.p_ctr[i]);
    if (std::size_t i = first_bad(v.p_cvr, n, probability); i < n)
      fail("{}: row {}: p_cvr is {}, must be in [0, 1]", where, row(i), v.p_cvr[i]);
  }
}

}  // namespace mmn
