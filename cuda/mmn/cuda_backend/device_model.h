#pragma once
// The whole MMN model on a CUDA device (or on the SIMT emulator, from the same source):
// parameters, gradients and optimizer state in device memory, and a training step made of
// the kernels in mmn/kernels: the batch copied in through pinned, double-buffered staging
// on a copy stream; domain ids, embedding gather, routing, the CTR tower and the routed
// composed CVR tower, the weighted BCE, the backward pass with the deterministic fold, the
// sparse embedding gradients; then the fused dense and the sparse optimizer updates.
// This header is plain C++ (no CUDA types), so host code built by any compiler uses it.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mmn/device/device_error.h"
#include "mmn/model/optimizer_plan.h"
#include "mmn/model/tower_layout.h"
#include "mmn/ops/embedding.h"
#include "mmn/ops/operand_precision.h"
#include "mmn/ops/weighted_bce.h"

namespace mmn::device {

struct ModelSpec {
  std::size_t dense_size = 0;
  std::vector<std::uint64_t> table_rows;  // one table per embedded field, in h0 order
  std::uint32_t categorical_fields = 0;   // the first tables; type and scenario follow when embedded
  bool embeds_domain = false;
  std::uint32_t dense_features = 0;
  std::uint32_t embedding_dim = 0, input_width = 0;
  DomainGrid grid;  // the model's types x scenarios
  TowerLayout ctr, cvr;

  bool train = true;  // false: forward passes only, no optimizer state on the device
  bool adam = true;         // the dense parameters' optimizer (else Adagrad)
  bool tables_adam = true;  // the embedding tables' optimizer (else Adagrad)
  std::uint32_t max_rows = 0;                                   // the largest batch it will see
  int device = 0;                                               // CUDA device ordinal
  Precision precision = Precision::fp32;  // operands of the towers' GEMMs: fp32 SIMT, tf32/bf16 tensor cores
};

// One batch's columns in host memory, row order.
struct HostBatch {
  std::size_t rows = 0;
  std::vector<const std::uint32_t*> categorical;
  const std::uint32_t* domain = nullptr;    // each row's domain id
  const std::uint32_t* type = nullptr;      // needed when the model embeds type and scenario
  const std::uint32_t* scenario = nullptr;
  std::vector<const float*> dense;
  const std::uint8_t* click = nullptr;
  const std::uint8_t* conv = nullptr;
};


// Device memory the model takes, for the plan checked before anything is allocated.
struct MemoryPlan {
  std::size_t parameters = 0, optimizer_state = 0, gradients = 0, activations = 0, workspace = 0;
  std::size_t total() const { return parameters + optimizer_state + gradients + activations + workspace; }
};
MemoryPlan plan_memory(const ModelSpec& spec);

// CUDA devices this process sees (1 under the emulator); 0 when there are none.
int cuda_device_count();

class DeviceModel {
 public:
  // Selects spec.device, checks the memory plan against the free device memory (a DeviceError
  // naming both otherwise) and allocates. Parameters start undefined: upload them.
  explicit DeviceModel(const ModelSpec& spec);
  ~DeviceModel();
  DeviceModel(const DeviceModel&) = delete;
  DeviceModel& operator=(const DeviceModel&) = delete;

  std::string device_description() const;
  Precision precision() const;  // the towers' GEMM operands (ModelSpec::precision)

  void upload_parameters(const float* dense, const std::vector<const float*>& tables);
  void download_parameters(float* dense, const std::vector<float*>& tables);
  // Adam: slots (m, v); Adagrad: (accumulator); dense [slot] and tables [table][slot].
  void upload_optimizer_state(const std::vector<const float*>& dense, const std::vector<std::vector<const float*>>& tables);
  void download_optimizer_state(const std::vector<float*>& dense, const std::vector<std::vector<float*>>& tables);

  // Forward, loss and backward (run_training_step, mmn/model/training_step.h): the gradients
  // stay on the device. The loss's scales are loss_scales' (host/mmn/ops/weighted_bce.h); the
  // kernels take them in float.
  LossValue compute_gradients(const HostBatch& batch, const LossScales& loss);
  // The batch the next compute_gradients will get (its host memory must stay valid until
  // then). That call copies it in through the other staging slot right after queuing its own
  // step, so the copy overlaps the step's kernels, and the call after uses it as staged.
  void set_next_batch(const HostBatch& next);

  // Data parallelism across GPUs: with a reducer set, each layer's dense gradients (its
  // LayerLayout range) are handed to it on the communication stream as soon as the backward pass
  // has queued the kernels that finish them, so the all-reduce of one layer overlaps the
  // backward of the layers before it; compute_gradients returns after every bucket is reduced.
  // The reducer gets (device pointer, element count, stream as a cudaStream_t) and must queue
  // its work on that stream. Buckets are disjoint and cover every dense gradient.
  using BucketReducer = std::function<void(float* data, std::size_t n, void* stream)>;
  void set_bucket_reducer(BucketReducer reducer);
  // Logits of every row, row order.
  void forward(const HostBatch& batch, float* ctr_logit, float* cvr_logit);

  // The number of NaN or infinite values among the loss sums and the gradients of the last step.
  std::uint64_t non_finite_gradients();
  // For data parallelism and diagnostics: the gradients in host memory, and back.
  void download_dense_gradients(float* out);
  void upload_dense_gradients(const float* in);
  void download_sparse_gradients(std::vector<SparseRows>& out);
  void upload_sparse_gradients(const std::vector<SparseRows>& in);
  // Device pointer to the dense gradients (a bucket handed to the reducer lies inside).
  float* dense_gradients_on_device();

  // Data parallelism for the embedding rows, merged on the device. sparse_gradient_counts: this
  // rank's rows per table (one small copy to the host). merge_sparse_gradients_across_ranks:
  // counts[r][t] is rank r's rows of table t; `gather` must fill `into` (device memory) with
  // every rank's bytes in rank order, rank r's sizes[r] of them (this rank's from `mine`, device
  // memory), queued on `stream` (a cudaStream_t) or done before it returns. The tables' rows are
  // then merged in rank order (kernels::merge_rank_rows): every rank ends with the same sparse
  // gradients, bit for bit, and the same as the host's merge_sparse_rows.
  using RankGatherer =
      std::function<void(const void* mine, const std::vector<std::size_t>& sizes, void* into, void* stream)>;
  std::vector<std::uint32_t> sparse_gradient_counts();
  void merge_sparse_gradients_across_ranks(const std::vector<std::vector<std::uint32_t>>& counts,
                                           const RankGatherer& gather);
  // A RankGatherer through host memory for the process of rank `rank`: its bytes copied out,
  // `all_gather` (every rank's bytes in rank order, as the job's Communicator gives them), the
  // result copied in.
  RankGatherer gather_through_host(int rank, std::function<std::vector<std::string>(const std::string&)> all_gather);

  // One optimizer step on the current gradients. Training models only.
  void apply_optimizer(const OptimizerStepPlan& plan);

  // A whole training step without a host round trip: compute_gradients' work, the count of NaN
  // and infinite values in the loss and the gradients, and `plan`'s update, whose kernels change
  // nothing when that count is not zero; then the loss and the count are copied to pinned host
  // memory. Nothing waits. At most two steps may be queued and not settled; settle_queued_step
  // waits for the oldest and returns what it found. Single process only (no bucket reducer).
  void queue_training_step(const HostBatch& batch, const LossScales& loss, const OptimizerStepPlan& plan);
  struct QueuedStep {
    LossValue loss;
    std::uint64_t non_finite = 0;  // NaN or infinite values in the loss and the gradients
  };
  QueuedStep settle_queued_step();
  std::size_t queued_steps() const;

 private:
  void check_loss_scales(const LossScales& loss) const;
  // The plan's update (its kernels skip themselves while *skip, device memory, is not zero).
  void apply_optimizer_checked(const OptimizerStepPlan& plan, const unsigned int* skip);

  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace mmn::device
