#pragma once
// The model: embeddings of the categorical fields (plus type and scenario for the
// `shared` baseline) concatenated with the dense features into h0; a CTR tower on
// h0; the CVR towers on h0, rows routed to their domain's composed tower (or, with
// routing = masked, every tower on every row); the weighted BCE loss.
#include <cstdint>
#include <vector>

#include "mmn/data/column_view.h"
#include "mmn/data/schema.h"
#include "mmn/model/cpu_step.h"
#include "mmn/model/embedding_table.h"
#include "mmn/model/model_config.h"
#include "mmn/model/parameter_store.h"
#include "mmn/model/tower.h"
#include "mmn/ops/embedding.h"
#include "mmn/ops/routing.h"
#include "mmn/ops/weighted_bce.h"

namespace mmn {

class ThreadPool;

class MmnModel {
 public:
  MmnModel(const ModelConfig& config, const Schema& schema, std::uint64_t seed);

  const ModelConfig& config() const { return config_; }
  const Schema& schema() const { return schema_; }
  const DomainGrid& grid() const { return grid_; }
  std::uint32_t input_width() const { return input_width_; }

  // Logits of every row, in row order.
  void forward(const ColumnView& rows, float* ctr_logit, float* cvr_logit, ThreadPool& pool);

  // Forward, loss and backward over `rows` (run_training_step with CpuStep). Dense gradients are
  // written to dense().all_grads() (overwritten), embedding gradients to sparse_grads() (one per
  // embedding table).
  LossValue compute_gradients(const ColumnView& rows, const LossScales& scales, ThreadPool& pool);
  // The same with loss_scales(counts, options).
  LossValue compute_gradients(const ColumnView& rows, const LossCounts& counts, const LossOptions& options,
                              ThreadPool& pool);

  const Tower& ctr_tower() const { return ctr_tower_; }
  const Tower& cvr_tower() const { return cvr_tower_; }
  // Whether h0 ends the categorical fields' embeddings with type and scenario embeddings.
  bool embeds_type_and_scenario() const { return tables_.size() > schema_.categorical.size(); }

  ParameterStore& dense() { return dense_; }
  const ParameterStore& dense() const { return dense_; }
  std::vector<EmbeddingTable>& embeddings() { return tables_; }
  const std::vector<EmbeddingTable>& embeddings() const { return tables_; }
  const std::vector<SparseRows>& sparse_grads() const { return sparse_grads_; }
  std::vector<SparseRows>& sparse_grads() { return sparse_grads_; }  // data parallelism merges them

  // Domain id of each row: type * n_scenarios + scenario.
  void domains_of(const ColumnView& rows, std::vector<std::uint32_t>& out) const;
  // Dense multiply-adds per row of one forward pass (both towers). A training step
  // costs 3x this (forward, input gradient, weight gradient), times 2 FLOPs.
  std::uint64_t forward_macs_per_row() const;

 private:
  friend class CpuStep;

  ModelConfig config_;
  Schema schema_;
  DomainGrid grid_;
  std::uint32_t input_width_ = 0;
  ParameterStore dense_;
  std::vector<EmbeddingTable> tables_;
  Tower ctr_tower_;
  Tower cvr_tower_;
  CpuStepBuffers step_buffers_;
  std::vector<SparseRows> sparse_grads_;
};

}  // namespace mmn
