#pragma once
// What a data set holds: domains (N_t x N_s), categorical fields with their
// vocabulary sizes, dense fields, and whether true probabilities are present.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mmn {

struct CategoricalField {
  std::string name;
  std::uint64_t vocab_size = 0;  // ids are in [0, vocab_size)
  bool operator==(const CategoricalField& o) const { return name == o.name && vocab_size == o.vocab_size; }
};

struct Schema {
  std::uint32_t n_types = 1;
  std::uint32_t n_scenarios = 1;
  std::vector<CategoricalField> categorical;
  std::vector<std::string> dense;
  bool has_truth = false;  // p_ctr and p_cvr columns present (synthetic data)

  std::uint32_t n_domains() const { return n_types * n_scenarios; }
  bool operator==(const Schema& o) const {
    return n_types == o.n_types && n_scenarios == o.n_scenarios && categorical == o.categorical &&
           dense == o.dense && has_truth == o.has_truth;
  }
  bool operator!=(const Schema& o) const { return !(*this == o); }

  // Throws mmn::Error, prefixed with `where`, when a limit is broken
  // (no types or scenarios, empty or duplicate names, a zero vocabulary).
  void validate(const std::string& where) const;
};

// Dense ids to the original values, saved with the data.
struct Dictionaries {
  std::vector<std::string> types;      // types[t] is the value mapped to type id t
  std::vector<std::string> scenarios;  // scenarios[s] likewise
  // Dictionary-encoded categorical fields: field name -> values[id - first_value_id].
  std::map<std::string, std::vector<std::string>> categorical;
  bool operator==(const Dictionaries& o) const {
    return types == o.types && scenarios == o.scenarios && categorical == o.categorical;
  }
};

}  // namespace mmn
