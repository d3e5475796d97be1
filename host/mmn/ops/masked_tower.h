#pragma once
// The literal auto-masking of the MMN paper: every domain's tower runs on every
// row and each row keeps its own domain's output (the domain mask). It computes the
// same function as routing (composed_layer.h) at n_domains times the cost; kept for
// equivalence tests and as the cost baseline (`routing = masked`).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mmn/ops/composed_layer.h"

namespace mmn {

// x: n rows x layers[0].in in row order; logit: n outputs (the last layer has out = 1).
void masked_tower_forward(const std::vector<ComposedLayer>& layers, const DomainGrid& grid, const float* x,
                          const std::uint32_t* domain, std::size_t n, float* logit, ThreadPool& pool);

// d_logit: dL/dlogit per row. dx (n x layers[0].in) is overwritten unless null; gradients accumulate.
void masked_tower_backward(const std::vector<ComposedLayer>& layers, const DomainGrid& grid, const float* x,
                           const std::uint32_t* domain, std::size_t n, const float* d_logit, float* dx,
                           const std::vector<ComposedLayerGrad>& grads, ThreadPool& pool);

}  // namespace mmn
