#pragma once
// A tower on the device: its layers' descriptors over the flat parameter and gradient arrays
// (from the host model's TowerLayout), its activations, and its forward and backward passes at
// the operand precision of train.precision (fp32 SIMT kernels, or tf32/bf16 on the tensor cores).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mmn/device/device_buffer.h"
#include "mmn/kernels/composed_gemm_tc.cuh"
#include "mmn/model/tower_layout.h"

namespace mmn::device {

inline std::uint32_t widest(const TowerLayout& t) {
  std::uint32_t w = 1;
  for (const LayerLayout& l : t.layers) w = std::max({w, l.in, l.out});
  return w;
}

// Scratch floats of the split weight-gradient fold (fold_split.cuh): the most any layer needs.
inline std::size_t tower_fold_scratch_floats(const TowerLayout& t, std::uint32_t max_rows) {
  std::size_t most = 0;
  for (const LayerLayout& l : t.layers) {
    const std::uint32_t parts = kernels::fold_parts(l.in, l.out, max_rows, kernels::kFoldTile);
    bool groups[kParamGroups] = {};
    for (int h = 0; h < kParamGroups; ++h) groups[h] = l.has(h);
    if (parts > 1) most = std::max(most, parts * kernels::fold_layout(l.in, l.out, groups, t.grid).part_floats);
  }
  return most;
}

// Activation floats per row the tower keeps.
inline std::size_t tower_activation_floats(const TowerLayout& t) {
  std::size_t per_row = 2 * std::size_t{widest(t)};  // the backward's two ping-pong buffers
  for (const LayerLayout& l : t.layers) per_row += l.out;
  return per_row;
}

struct TowerState {
  TowerLayout spec;
  std::vector<ComposedLayer> layers;
  std::vector<ComposedLayerGrad> grads;
  std::vector<DeviceBuffer<float>> acts;  // per layer: rows x out
  DeviceBuffer<float> ping, pong;         // rows x widest
  DeviceBuffer<float> fold_scratch;       // tower_fold_scratch_floats; none for forward passes only
  Precision precision;

  TowerState(const TowerLayout& s, float* params, float* dense_grads, std::uint32_t max_rows, Precision p, bool train)
      : spec(s),
        ping(std::size_t{max_rows} * widest(s)),
        pong(std::size_t{max_rows} * widest(s)),
        fold_scratch(train ? tower_fold_scratch_floats(s, max_rows) : 0),
        precision(p) {
    for (std::size_t l = 0; l < s.layers.size(); ++l) {
      layers.push_back(composed_layer(s, l, params));
      grads.push_back(composed_layer_grad(s, l, dense_grads));
      acts.emplace_back(std::size_t{max_rows} * s.layers[l].out);
    }
  }

  // x: routed rows x in; returns the routed logits.
  const float* forward(const kernels::ComposedRouting& r, const float* x, cudaStream_t stream) {
    for (std::size_t l = 0; l < layers.size(); ++l)
      kernels::composed_forward(layers[l], spec.grid, r, false, l == 0 ? x : acts[l - 1].data(), acts[l].data(),
                                stream, precision);
    return acts.back().data();
  }

  // d_logit (routed, overwritten); dx: routed rows x in of the first layer. layer_done(l) runs
  // once layer l's weight and bias gradient kernels are queued.
  template <typename LayerDone>
  void backward(const kernels::ComposedRouting& r, const float* x, float* d_logit, float* dx, cudaStream_t stream,
                LayerDone&& layer_done) {
    float* dy = d_logit;
    for (std::size_t l = layers.size(); l-- > 0;) {
      float* dx_out = l == 0 ? dx : (dy == ping.data() ? pong.data() : ping.data());
      kernels::composed_backward(layers[l], spec.grid, r, l == 0 ? x : acts[l - 1].data(), acts[l].data(), dy, dx_out,
                                 grads[l], stream, kernels::FoldMode::deterministic, precision,
                                 fold_scratch.size() > 0 ? fold_scratch.data() : nullptr);
      layer_done(spec.layers[l]);
      dy = dx_out;
    }
  }
};

}  // namespace mmn::device
