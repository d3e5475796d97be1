#pragma once
// The MMN layer's forward and input-gradient passes (type_grouped_fold_applies), with each
// domain's W_d = P[t] ⊙ Ws[s] formed in registers by product_microkernels.h instead of composed
// into memory and packed for a GEMM. Every thread takes a share of the output columns and walks
// the domains in blocks of types that keep their P[t] in its L2 (domains_by_type_blocks), and
// the threads' work is equal whatever the domain sizes.
#include <vector>

#include "mmn/ops/composed_layer.h"

namespace mmn {

// Column ranges, a multiple of 16 wide except the last, one per thread where `width` allows.
std::uint32_t column_share(std::uint32_t width, std::size_t threads);

// The MMN layer's weights as its kernels read them: every P[t] = W ⊙ Wt[t], then every Ws[s],
// each packed as panels (product_microkernels.h), `matrix` floats apart.
struct PackedProductWeights {
  const float* products;
  const float* scenario;
  std::size_t matrix;
};

// Floats of a layer's packed weights.
std::size_t packed_product_weights_size(const ComposedLayer& layer, const DomainGrid& grid);
// The layout of packed weights in `buffer` (packed_product_weights_size floats).
PackedProductWeights packed_product_weights(const ComposedLayer& layer, const DomainGrid& grid, const float* buffer);
// Packs the layer's weights into `buffer` over the pool.
PackedProductWeights pack_product_weights(const ComposedLayer& layer, const DomainGrid& grid, float* buffer,
                                          ThreadPool& pool);

// The active domains in blocks of `types_per_block` consecutive types, scenario-major within a
// block: while a block's P[t] stay in cache, each Ws[s] is read once per block instead of once per
// domain.
std::vector<std::uint32_t> domains_by_type_blocks(const DomainGrid& grid, const Routing& routing,
                                                  std::uint32_t types_per_block);

// y = act(x W_d + b_d).
void product_layer_forward(const ComposedLayer& layer, const DomainGrid& grid, const Routing& routing,
                           const PackedProductWeights& weights, const float* x, float* y, ThreadPool& pool);

// dx = dz W_d^T (routed rows x in, overwritten).
void product_layer_input_gradient(const ComposedLayer& layer, const DomainGrid& grid, const Routing& routing,
                                  const PackedProductWeights& weights, const float* dz, float* dx, ThreadPool& pool);

}  // namespace mmn
