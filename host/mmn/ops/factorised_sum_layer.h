#pragma once
// The sum composition without per-domain weights: with W_d = W + Wt[t] + Ws[s],
//   x W_d = x W + x Wt[t] + x Ws[s],
// so a layer is one GEMM over all rows, one per type over its (contiguous, since
// routing is type-major) rows, and one per scenario over its gathered rows; the
// backward likewise. Segments are large and nothing is composed. Used by
// composed_layer.cpp for sum layers whose groups are among shared, type and scenario.
#include "mmn/ops/composed_layer.h"

namespace mmn {

bool factorises(const ComposedLayer& layer);

void factorised_sum_forward(const ComposedLayer& layer, const DomainGrid& grid, const Routing& routing, const float* x,
                            float* y, ThreadPool& pool);

// dz: dL/dz (the ReLU mask already applied). dx overwritten unless null; gradients accumulate.
void factorised_sum_backward(const ComposedLayer& layer, const DomainGrid& grid, const Routing& routing,
                             const float* x, const float* dz, float* dx, const ComposedLayerGrad& grad,
                             ThreadPool& pool);

}  // namespace mmn
