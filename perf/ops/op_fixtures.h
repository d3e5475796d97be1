#pragma once
// Inputs for the op benchmarks in the shape of the criteo-like configuration: a batch
// of 4096 rows over a 17 x 21 grid with Zipf-like domain traffic, and the CVR tower
// 272 -> 256 -> 128 -> 1. Random values: benchmarks time work, not learning.
#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "mmn/ops/composed_layer.h"
#include "mmn/ops/embedding.h"
#include "run_mode.h"

namespace mmn::perf {

inline constexpr std::size_t kBatchRows = 4096;
inline constexpr DomainGrid kCriteoGrid{17, 21};
inline constexpr std::array<std::uint32_t, 4> kTowerWidths{272, 256, 128, 1};
inline constexpr std::array<bool, kParamGroups> kMmnGroups{true, true, true, false};

inline std::vector<float> random_floats(std::size_t n, std::uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = normal(rng);
  return v;
}

// Domain ids with low ids dominating (as in perf/train/criteo_like_batch.h).
inline std::vector<std::uint32_t> zipf_domains(std::size_t n, std::uint32_t n_domains, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<std::uint32_t> d(n);
  for (auto& x : d) x = static_cast<std::uint32_t>(std::pow(u(rng), 2.5) * n_domains) % n_domains;
  return d;
}

// One composed layer's parameters and gradients, owning their storage.
struct LayerParams {
  std::array<std::vector<float>, kParamGroups> w, b, dw, db;
  ComposedLayer layer;
  ComposedLayerGrad grad;

  LayerParams(const DomainGrid& grid, std::uint32_t in, std::uint32_t out, Composition composition,
              std::array<bool, kParamGroups> groups = kMmnGroups, bool relu = true) {
    layer.in = in;
    layer.out = out;
    layer.composition = composition;
    layer.relu = relu;
    for (int g = 0; g < kParamGroups; ++g) {
      if (!groups[static_cast<std::size_t>(g)]) continue;
      const std::size_t sets = grid.sets(g);
      const float centre = composition == Composition::product && g != kShared ? 1.0f : 0.0f;
      w[g] = random_floats(sets * in * out, 17u + static_cast<std::uint32_t>(g), 0.05f);
      for (auto& v : w[g]) v += centre;
      b[g] = random_floats(sets * out, 31u + static_cast<std::uint32_t>(g), 0.01f);
      dw[g].assign(w[g].size(), 0.0f);
      db[g].assign(b[g].size(), 0.0f);
      layer.weight[g] = w[g].data();
      layer.bias[g] = b[g].data();
      grad.weight[g] = dw[g].data();
      grad.bias[g] = db[g].data();
    }
  }

  int groups() const {
    int n = 0;
    for (const auto& v : w) n += v.empty() ? 0 : 1;
    return n;
  }
};

// FLOPs to compose one domain's weights and biases: (groups - 1) per element.
inline double compose_flops(const LayerParams& p) {
  return static_cast<double>(p.groups() - 1) * static_cast<double>(p.layer.in + 1) * p.layer.out;
}

// FLOPs of a GEMM over `rows` rows of the layer: a multiply and an add per weight and row.
inline double gemm_flops(const ComposedLayer& l, double rows) { return 2.0 * rows * l.in * l.out; }

// Registration shared by the per-layer benchmarks: one run per layer of the criteo-like tower.
// Labels of n rows: every 5th row clicked, a clicked row every 7th converted.
struct Labels {
  std::vector<std::uint8_t> click, conv;
};
inline Labels fixed_labels(std::size_t n) {
  Labels l{std::vector<std::uint8_t>(n), std::vector<std::uint8_t>(n)};
  for (std::size_t i = 0; i < n; ++i) {
    l.click[i] = i % 5 == 0;
    l.conv[i] = l.click[i] != 0 && i % 7 == 0;
  }
  return l;
}

// A sparse gradient of `touched` rows spread evenly over a table of `table_rows` rows.
inline SparseRows evenly_touched_rows(std::size_t table_rows, std::size_t touched, std::uint32_t dim) {
  SparseRows rows;
  for (std::size_t i = 0; i < touched; ++i) rows.ids.push_back(static_cast<std::uint32_t>(i * (table_rows / touched)));
  rows.grads = random_floats(touched * dim, 4, 0.01f);
  return rows;
}

inline void per_layer(benchmark::internal::Benchmark* b) {
  b->ArgName("layer")->DenseRange(0, 2)->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(min_time(0.5));
}

}  // namespace mmn::perf
