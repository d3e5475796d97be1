#pragma once
// Value text -> dense index, in order of first appearance. A dictionary either grows
// (up to a cap) or is fixed (given in the schema or taken from another data set).
// Moves keep the views valid (std::deque does not relocate its elements); no copies.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mmn::ingest {

class Dictionary {
 public:
  static constexpr std::int64_t kAbsent = -1;

  explicit Dictionary(std::size_t cap = SIZE_MAX) : cap_(cap) {}
  Dictionary(Dictionary&&) = default;
  Dictionary& operator=(Dictionary&&) = default;
  Dictionary(const Dictionary&) = delete;
  Dictionary& operator=(const Dictionary&) = delete;

  // A fixed dictionary of exactly these values.
  static Dictionary fixed_to(const std::vector<std::string>& values) {
    Dictionary d(values.size());
    for (const auto& v : values) d.add(v);
    d.fixed_ = true;
    return d;
  }

  bool fixed() const { return fixed_; }
  std::size_t size() const { return values_.size(); }
  std::size_t cap() const { return cap_; }

  std::int64_t find(std::string_view value) const {
    const auto it = index_.find(value);
    return it == index_.end() ? kAbsent : static_cast<std::int64_t>(it->second);
  }

  // The value's index, adding it when new; kAbsent when new and the dictionary is
  // fixed or full.
  std::int64_t find_or_add(std::string_view value) {
    const auto it = index_.find(value);
    if (it != index_.end()) return static_cast<std::int64_t>(it->second);
    if (fixed_ || values_.size() >= cap_) return kAbsent;
    return add(value);
  }

  std::vector<std::string> values() const { return {values_.begin(), values_.end()}; }

 private:
  std::int64_t add(std::string_view value) {
    const auto id = static_cast<std::uint32_t>(values_.size());
    values_.emplace_back(value);
    index_.emplace(values_.back(), id);
    return id;
  }

  std::deque<std::string> values_;
  std::unordered_map<std::string_view, std::uint32_t> index_;
  std::size_t cap_;
  bool fixed_ = false;
};

// A chunk's own dictionary of one column: the distinct values of its rows in order of
// first appearance, and each row's index into them. Merged into the global Dictionary
// in chunk order, which keeps ids in first-appearance order whatever the threads.
struct LocalDictionary {
  std::vector<std::string_view> values;
  std::vector<std::uint32_t> first_row;  // the row where values[i] first appears
  std::vector<std::uint32_t> ids;        // per row
  std::unordered_map<std::string_view, std::uint32_t> index;

  void add(std::string_view value, std::uint32_t row) {
    const auto [it, inserted] = index.try_emplace(value, static_cast<std::uint32_t>(values.size()));
    if (inserted) {
      values.push_back(value);
      first_row.push_back(row);
    }
    ids.push_back(it->second);
  }
};

}  // namespace mmn::ingest
