#pragma once
// Random parameters for composed layers, with gradient buffers beside them.
#include <array>
#include <random>
#include <vector>

#include "mmn/ops/composed_layer.h"

namespace mmn::testing {

struct LayerStorage {
  std::uint32_t in = 0, out = 0;
  Composition composition = Composition::product;
  bool relu = true;
  std::array<std::vector<float>, kParamGroups> w, b, gw, gb;

  LayerStorage(const DomainGrid& grid, std::uint32_t in_, std::uint32_t out_, std::array<bool, kParamGroups> groups,
               Composition comp, bool relu_, std::mt19937& rng)
      : in(in_), out(out_), composition(comp), relu(relu_) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (int g = 0; g < kParamGroups; ++g) {
      if (!groups[g]) continue;
      w[g].resize(std::size_t{grid.sets(g)} * in * out);
      b[g].resize(std::size_t{grid.sets(g)} * out);
      // Product factors near 1 (as after init and a little training), shared weights He-scaled.
      for (auto& x : w[g]) {
        const float z = normal(rng);
        x = (g == kShared || comp == Composition::sum) ? z * std::sqrt(2.0f / static_cast<float>(in)) : 1.0f + 0.3f * z;
      }
      for (auto& x : b[g]) x = 0.1f * normal(rng);
      gw[g].assign(w[g].size(), 0.0f);
      gb[g].assign(b[g].size(), 0.0f);
    }
  }
  ComposedLayer layer() const {
    ComposedLayer l;
    l.in = in;
    l.out = out;
    l.composition = composition;
    l.relu = relu;
    for (int g = 0; g < kParamGroups; ++g)
      if (!w[g].empty()) l.weight[g] = w[g].data(), l.bias[g] = b[g].data();
    return l;
  }
  ComposedLayerGrad grad() {
    ComposedLayerGrad gr;
    for (int g = 0; g < kParamGroups; ++g)
      if (!w[g].empty()) gr.weight[g] = gw[g].data(), gr.bias[g] = gb[g].data();
    return gr;
  }
  void zero_grad() {
    for (int g = 0; g < kParamGroups; ++g) {
      std::fill(gw[g].begin(), gw[g].end(), 0.0f);
      std::fill(gb[g].begin(), gb[g].end(), 0.0f);
    }
  }
};

}  // namespace mmn::testing
