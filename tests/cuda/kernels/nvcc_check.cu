// Compiled by nvcc only: every kernel header builds for the GPU. Nothing runs here.
#include "mmn/kernels/auc.cuh"
#include "mmn/kernels/composed_gemm.cuh"
#include "mmn/kernels/composed_gemm_tc.cuh"
#include "mmn/kernels/embedding.cuh"
#include "mmn/kernels/optimizers.cuh"
#include "mmn/kernels/routing.cuh"
#include "mmn/kernels/step_support.cuh"
#include "mmn/kernels/weighted_bce.cuh"

namespace mmn::kernels {

void launch_every_kernel(cudaStream_t stream) {
  weighted_bce(WeightedBceArgs{}, stream);
  count_loss_rows(nullptr, nullptr, 0, 1, false, nullptr, stream);
  route_by_domain(RouteArgs{}, stream);
  composed_forward(ComposedLayer{}, DomainGrid{}, ComposedRouting{}, true, nullptr, nullptr, stream);
  composed_backward(ComposedLayer{}, DomainGrid{}, ComposedRouting{}, nullptr, nullptr, nullptr, nullptr,
                    ComposedLayerGrad{}, stream);
  for (const Precision p : {Precision::tf32, Precision::bf16}) {
    composed_forward(ComposedLayer{}, DomainGrid{}, ComposedRouting{}, true, nullptr, nullptr, stream, p);
    composed_backward(ComposedLayer{}, DomainGrid{}, ComposedRouting{}, nullptr, nullptr, nullptr, nullptr,
                      ComposedLayerGrad{}, stream, FoldMode::deterministic, p);
  }
  MMN_LAUNCH(gather_rows, dim3(1), dim3(32), 0, stream, nullptr, 0u, nullptr, 0u, nullptr);
  MMN_LAUNCH(scatter_rows, dim3(1), dim3(32), 0, stream, nullptr, 0u, nullptr, 0u, nullptr, false);
  embedding_gather(EmbeddingGatherArgs{}, stream);
  EmbeddingBackwardWorkspace embedding_workspace(0);
  embedding_backward(1, {EmbeddingFieldGrad{}}, 0, nullptr, 1, embedding_workspace, stream);
  adam_update(nullptr, nullptr, nullptr, nullptr, 0, AdamHyper{}, 1, stream);
  adagrad_update(nullptr, nullptr, nullptr, 0, AdagradHyper{}, stream);
  adam_update_rows(nullptr, nullptr, nullptr, 1, nullptr, nullptr, nullptr, 0, AdamHyper{}, 1, stream);
  adagrad_update_rows(nullptr, nullptr, 1, nullptr, nullptr, nullptr, 0, AdagradHyper{}, stream);
  fill(nullptr, 0, 0, stream);
  add_non_finite_count(nullptr, 0, nullptr, stream);
  AucWorkspace auc_workspace(0);
  auc(nullptr, nullptr, 0, auc_workspace, nullptr, stream);
}

}  // namespace mmn::kernels
