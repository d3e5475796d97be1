#pragma once
// The MMN layer's forward and input-gradient passes (type_grouped_fold_applies), with each
// domain's W_d = P[t] ⊙ Ws[s] formed in registers by product_microkernels.h instead of composed
// into memory and packed for a GEMM. Every thread takes a share of the output columns and walks
// the domains in routed (type-major) order, so P[t] stays in its cache across a type's domains
// and the threads' work is equal whatever the domain sizes.
#include "mmn/ops/composed_layer.h"

namespace mmn {

// Column ranges, a multiple of 16 wide except the last, one per thread where `width` allows.
std::uint32_t column_share(std::uint32_t width, std::size_t threads);

// y = act(x W_d + b_d).
void product_layer_forward(const ComposedLayer& layer, const DomainGrid& grid, const Routing& routing,
                           const float* x, float* y, ThreadPool& pool);

// dx = dz W_d^T (routed rows x in, overwritten); products as type_products writes them.
void product_layer_input_gradient(const ComposedLayer& layer, const DomainGrid& grid, const Routing& routing,
                                  const float* dz, const float* products, float* dx, ThreadPool& pool);

}  // namespace mmn
