#pragma once
// One embedding table per categorical field: vocab_size rows of dim floats (plus one shared row
// for rare values when the model maps them, model.min_id_count).
#include <cstdint>
#include <string>
#include <vector>

namespace mmn {

struct EmbeddingTable {
  std::string name;
  std::uint64_t rows = 0;
  std::uint32_t dim = 0;
  std::vector<float> values;  // rows x dim
  // Empty: a value's id is its row. Else id -> row, one entry per value of the vocabulary;
  // values seen fewer than model.min_id_count times in the training data share the last row.
  std::vector<std::uint32_t> id_map;
};

}  // namespace mmn
