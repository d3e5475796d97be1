#pragma once
// A composed layer case of the kernel tests (composed_gemm_test.cpp, composed_gemm_tc_test.cpp)
// and one run of it on the device: routed on the device, forward with the rows gathered while
// loading, backward from dy (ReLU mask, input gradient, every group's weight and bias gradient
// from zero).
#include <array>
#include <cstdint>
#include <vector>

#include "mmn/device/device_buffer.h"
#include "mmn/kernels/composed_gemm_tc.cuh"
#include "mmn/kernels/device_routing.h"
#include "mmn/ops/operand_precision.h"
#include "testing/composed_storage.h"

namespace mmn::testing {

using Groups = std::array<bool, kParamGroups>;
inline constexpr Groups kMmnGroups{true, true, true, false}, kNoTypeGroups{true, false, true, false},
    kStarGroups{true, false, false, true}, kSeparateGroups{false, false, false, true};

struct ComposedCase {
  const char* name;
  std::uint32_t rows, in, out;
  std::uint32_t n_types, n_scenarios;
  Groups groups;
  Composition composition;
  bool relu;
};

struct LayerOutputs {
  std::vector<float> y, dx;
  std::array<std::vector<float>, kParamGroups> gw, gb;
  bool operator==(const LayerOutputs& o) const { return y == o.y && dx == o.dx && gw == o.gw && gb == o.gb; }
};

// The layer of `s` on rows of the given domains, x (rows x in) and dy (rows x out) in row order.
// split_fold: the deterministic fold gets scratch, so it splits over row ranges (fold_split.cuh).
inline LayerOutputs run_layer_on_device(const ComposedCase& c, const DomainGrid& grid, const LayerStorage& s,
                                        const std::vector<std::uint32_t>& domain, const std::vector<float>& x,
                                        const std::vector<float>& dy, kernels::FoldMode fold, Precision precision,
                                        bool split_fold = false) {
  std::array<DeviceBuffer<float>, kParamGroups> w, b, gw, gb;
  ComposedLayer l;
  ComposedLayerGrad g;
  l.in = c.in, l.out = c.out, l.composition = c.composition, l.relu = c.relu;
  for (int h = 0; h < kParamGroups; ++h) {
    if (s.w[h].empty()) continue;
    w[h] = DeviceBuffer<float>(s.w[h]), b[h] = DeviceBuffer<float>(s.b[h]);
    gw[h] = DeviceBuffer<float>(std::vector<float>(s.w[h].size(), 0.0f));
    gb[h] = DeviceBuffer<float>(std::vector<float>(s.b[h].size(), 0.0f));
    l.weight[h] = w[h].data(), l.bias[h] = b[h].data(), g.weight[h] = gw[h].data(), g.bias[h] = gb[h].data();
  }
  const kernels::DeviceRouting routed(domain, grid.n_domains(), nullptr);
  const kernels::ComposedRouting& r = routed.routing();
  DeviceBuffer<float> x_dev(x), x_routed(x.size()), y(std::size_t{c.rows} * c.out), dy_dev(dy), dz(dy.size()),
      dx(x.size());
  kernels::composed_forward(l, grid, r, true, x_dev.data(), y.data(), nullptr, precision);
  MMN_LAUNCH(kernels::gather_rows, dim3(128), dim3(64), 0, nullptr, r.order, c.rows,
             static_cast<const float*>(x_dev.data()), c.in, x_routed.data());
  MMN_LAUNCH(kernels::gather_rows, dim3(128), dim3(64), 0, nullptr, r.order, c.rows,
             static_cast<const float*>(dy_dev.data()), c.out, dz.data());
  DeviceBuffer<float> scratch(split_fold ? kernels::fold_scratch_floats(l, grid, c.rows, kernels::kFoldTile) : 0);
  kernels::composed_backward(l, grid, r, x_routed.data(), y.data(), dz.data(), dx.data(), g, nullptr, fold, precision,
                             split_fold ? scratch.data() : nullptr);
  LayerOutputs o;
  o.y = y.download(), o.dx = dx.download();
  for (int h = 0; h < kParamGroups; ++h)
    if (!s.w[h].empty()) o.gw[h] = gw[h].download(), o.gb[h] = gb[h].download();
  return o;
}

}  // namespace mmn::testing
