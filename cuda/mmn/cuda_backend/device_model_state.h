#pragma once
// The device model's memory: parameters, optimizer state, gradients, activations, staging and
// workspaces. Internal to the device model's sources.
#include <cstdint>
#include <memory>
#include <vector>

#include "mmn/cuda_backend/batch_staging.h"
#include "mmn/cuda_backend/device_model.h"
#include "mmn/cuda_backend/device_runtime.h"
#include "mmn/cuda_backend/routing_workspace.h"
#include "mmn/cuda_backend/tower_state.h"
#include "mmn/device/device_buffer.h"
#include "mmn/kernels/embedding.cuh"

namespace mmn::device {

struct DeviceModel::State {
  ModelSpec spec;
  Stream compute, copy, communication;
  Event gradients_ready, buckets_reduced;
  DeviceModel::BucketReducer reducer;
  DeviceBuffer<float> params, grads;
  std::vector<DeviceBuffer<float>> dense_state;               // per slot
  std::vector<DeviceBuffer<float>> tables;                    // per table
  std::vector<std::vector<DeviceBuffer<float>>> table_state;  // [table][slot]
  DeviceBuffer<const float*> table_pointers;
  BatchStaging staging;

  DeviceBuffer<std::uint32_t> zero_domain;
  DeviceBuffer<float> h0, h0_routed, dh0, dh0_routed, ctr_logit, cvr_logit, d_ctr, d_cvr, d_cvr_routed;
  DeviceBuffer<float> cvr_scale;
  DeviceBuffer<float> block_sums, loss_sums;
  DeviceBuffer<unsigned int> bad;
  RoutingWorkspace ctr_routing, cvr_routing;
  TowerState ctr, cvr;
  kernels::EmbeddingBackwardWorkspace embedding_workspace;
  std::vector<DeviceBuffer<std::uint32_t>> unique_ids, sparse_count;
  std::vector<DeviceBuffer<float>> sparse_grads;
  std::vector<std::uint32_t> sparse_bound;  // per table, at least its sparse gradient's row count (sizes grids)

  // Data parallelism: one table's sparse rows of every rank, gathered, and the merge's memory
  // (grown to the largest gather seen).
  struct GatheredRows {
    DeviceBuffer<std::uint32_t> ids;
    DeviceBuffer<float> grads;
    std::unique_ptr<kernels::EmbeddingBackwardWorkspace> workspace;
    void reserve(std::size_t entries, std::uint32_t dim);
  };
  GatheredRows gathered;

  // Steps queued by queue_training_step, oldest first from queued_first: each one's loss sums and
  // non-finite count, copied into pinned memory when its event completes.
  struct QueuedResult {
    PinnedBuffer<float> loss{3};
    PinnedBuffer<unsigned int> non_finite{1};
    Event done;
  };
  QueuedResult queued[2];
  unsigned queued_first = 0, queued_count = 0;

  explicit State(const ModelSpec& s);

  // bad = the NaN and infinite values among the loss sums and the gradients (queued, no wait).
  void count_non_finite();

  // The dense gradients and the sparse rows' counts, zero.
  void zero_gradients();
  // The step of an empty batch: zero gradients and a zero loss.
  void empty_step();

  struct Step;              // the parts of a training step on this memory (device_model_step.cpp)
  struct OptimizerKernels;  // an OptimizerStepPlan's updates (device_model.cpp)
};

}  // namespace mmn::device
