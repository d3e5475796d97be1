#pragma once
// One embedding table per categorical field: vocab_size rows of dim floats.
#include <cstdint>
#include <string>
#include <vector>

namespace mmn {

struct EmbeddingTable {
  std::string name;
  std::uint64_t rows = 0;
  std::uint32_t dim = 0;
  std::vector<float> values;  // rows x dim
};

}  // namespace mmn
