#pragma once
// Where a tower's parameters sit in the model's flat dense parameter array: per layer, the
// offset of each group's weights and biases. The one description of a tower that the CPU
// model, the CUDA backend and the exporters read; plain C++ for every compiler.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mmn {

struct LayerLayout {
  std::uint32_t in = 0, out = 0;
  bool relu = true;
  // Offsets per group (shared, type, scenario, domain); -1 where the group is off.
  std::array<long, 4> weight_offset{-1, -1, -1, -1}, bias_offset{-1, -1, -1, -1};
  // Every parameter of the layer, as one range [begin, end) of the flat array (a bucket of the
  // gradient all-reduce).
  std::size_t params_begin = 0, params_end = 0;

  bool has(int group) const { return weight_offset[group] >= 0; }
};

struct TowerLayout {
  std::vector<LayerLayout> layers;
  bool product = true;
  std::uint32_t n_types = 1, n_scenarios = 1;  // the parameter sets' grid (1 x 1: one set)
  bool routed = false;                         // rows routed by domain (the MMN CVR tower)
};

}  // namespace mmn
