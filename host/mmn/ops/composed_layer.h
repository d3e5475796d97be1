#pragma once
// One layer of the CVR towers. Domain d's weights are composed from the enabled
// parameter groups: W_d = W ⊙ Wt[t] ⊙ Ws[s] (product) or W + Wt[t] + Ws[s] (sum),
// likewise with a per-domain group for the star and separate baselines; biases
// always add. Rows arrive routed (grouped by domain, see routing.h) and each active
// domain's weights are composed once per call into a per-thread buffer: memory stays
// in the sum space. Backward folds G_d = X_d^T dZ_d straight into every group's
// gradient, e.g. dWt[t] += G_d ⊙ W ⊙ Ws[s], in a fixed order (deterministic for any
// number of threads). The MMN layer itself (shared ⊙ type ⊙ scenario) takes faster
// paths that compose nothing: product_layer.h and type_grouped_fold.h; a sum of those
// groups factorises (factorised_sum_layer.h).
#include <cstddef>
#include <cstdint>

#include "mmn/ops/composed_layer_desc.h"
#include "mmn/ops/domain_grid.h"
#include "mmn/ops/routing.h"

namespace mmn {

class ThreadPool;

// W_d[:, col_begin:col_end) into `out` (in x (col_end - col_begin), row stride ld), and b_d.
void compose_weight(const ComposedLayer& layer, const DomainGrid& grid, std::uint32_t d, std::uint32_t col_begin,
                    std::uint32_t col_end, float* out, std::size_t ld);
void compose_bias(const ComposedLayer& layer, const DomainGrid& grid, std::uint32_t d, float* out);

// y = act(x W_d + b_d) for each domain's segment; x is routed rows x in, y routed rows x out.
void composed_forward(const ComposedLayer& layer, const DomainGrid& grid, const Routing& routing, const float* x,
                      float* y, ThreadPool& pool);

// dy (routed rows x out) holds dL/dy on entry and dL/dz (the ReLU mask applied) on return.
// dx (routed rows x in) is overwritten unless null; gradients are accumulated into grad.
void composed_backward(const ComposedLayer& layer, const DomainGrid& grid, const Routing& routing, const float* x,
                       const float* y, float* dy, float* dx, const ComposedLayerGrad& grad, ThreadPool& pool);

// One domain's share of the weight and bias gradients, for output columns [col_begin, col_end):
// G = x_seg^T dz_seg folded into every enabled group. Used by composed_backward and the masked form.
void fold_domain_gradient(const ComposedLayer& layer, const DomainGrid& grid, std::uint32_t d, const float* x_seg,
                          const float* dz_seg, std::uint32_t rows, std::uint32_t col_begin, std::uint32_t col_end,
                          const ComposedLayerGrad& grad);
// Its bias part alone: every enabled group's bias gradient += the column sums of dz_seg.
void fold_domain_bias_gradient(const ComposedLayer& layer, const DomainGrid& grid, std::uint32_t d,
                               const float* dz_seg, std::uint32_t rows, std::uint32_t col_begin, std::uint32_t col_end,
                               const ComposedLayerGrad& grad);
// Every enabled group's bias gradient of domain d, columns [col_begin, col_end) += column_sums.
void add_domain_bias_gradient(const ComposedLayer& layer, const DomainGrid& grid, std::uint32_t d,
                              const float* column_sums, std::uint32_t col_begin, std::uint32_t col_end,
                              const ComposedLayerGrad& grad);

}  // namespace mmn
