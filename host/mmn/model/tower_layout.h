#pragma once
// Where a tower's parameters sit in the model's flat dense parameter array: per layer, the
// offset of each group's weights and biases. The one description of a tower that the CPU
// model, the CUDA backend and the exporters read; plain C++ for every compiler.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mmn/ops/composed_layer_desc.h"
#include "mmn/ops/domain_grid.h"

namespace mmn {

struct LayerLayout {
  std::uint32_t in = 0, out = 0;
  bool relu = true;
  // Offsets per group (shared, type, scenario, domain); -1 where the group is off.
  std::array<long, kParamGroups> weight_offset{-1, -1, -1, -1}, bias_offset{-1, -1, -1, -1};
  // Every parameter of the layer, as one range [begin, end) of the flat array (a bucket of the
  // gradient all-reduce).
  std::size_t params_begin = 0, params_end = 0;

  bool has(int group) const { return weight_offset[group] >= 0; }
};

struct TowerLayout {
  std::vector<LayerLayout> layers;
  Composition composition = Composition::product;
  DomainGrid grid;      // the parameter sets' grid (1 x 1: one set)
  bool routed = false;  // rows routed by domain (the MMN CVR tower)
};

// Layer l of the tower as the composed-layer ops take it (host and CUDA alike): its groups'
// weights and biases in the flat parameter array `values`, and their gradients in `grads`.
inline ComposedLayer composed_layer(const TowerLayout& t, std::size_t l, const float* values) {
  const LayerLayout& layer = t.layers[l];
  ComposedLayer c;
  c.in = layer.in, c.out = layer.out, c.relu = layer.relu;
  c.composition = t.composition;
  for (int g = 0; g < kParamGroups; ++g) {
    if (!layer.has(g)) continue;
    c.weight[g] = values + layer.weight_offset[g];
    c.bias[g] = values + layer.bias_offset[g];
  }
  return c;
}

inline ComposedLayerGrad composed_layer_grad(const TowerLayout& t, std::size_t l, float* grads) {
  const LayerLayout& layer = t.layers[l];
  ComposedLayerGrad c;
  for (int g = 0; g < kParamGroups; ++g) {
    if (!layer.has(g)) continue;
    c.weight[g] = grads + layer.weight_offset[g];
    c.bias[g] = grads + layer.bias_offset[g];
  }
  return c;
}

}  // namespace mmn
