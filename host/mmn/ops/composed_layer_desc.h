#pragma once
// The descriptor of one composed tower layer (composed_layer.h describes the op): its shape, how
// the parameter groups compose, and where each group's weights and biases sit. Plain types, so
// the host ops and the CUDA kernels (cuda/mmn/kernels/composed_gemm.cuh) take the same struct.
#include <cstdint>

#include "mmn/ops/domain_grid.h"

namespace mmn {

enum class Composition { product, sum };

struct ComposedLayer {
  std::uint32_t in = 0;
  std::uint32_t out = 0;
  Composition composition = Composition::product;
  bool relu = true;
  const float* weight[kParamGroups] = {};  // [sets][in][out], null when the group is off
  const float* bias[kParamGroups] = {};    // [sets][out], null when the group is off
  // Host only (the device ignores it), optional, for the MMN layer: a buffer of
  // packed_product_weights_size floats (product_layer.h) that composed_forward packs the weights
  // into and composed_backward reads back instead of packing them again. The weights must not
  // change between the two calls.
  float* packed = nullptr;
};

struct ComposedLayerGrad {
  float* weight[kParamGroups] = {};  // accumulated (+=), same shapes as the layer's
  float* bias[kParamGroups] = {};
};

}  // namespace mmn
