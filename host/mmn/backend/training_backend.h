#pragma once
// Where a training step runs. The trainer decides what a step does (the loss's scales, the
// optimizer's plan) and drives a TrainingBackend, which runs it with its kernels
// (run_training_step, mmn/model/training_step.h) and owns the parameters while it trains. The
// host MmnModel and Optimizer are the view used for checkpoints, checksums, evaluation and
// export: a backend that keeps the parameters elsewhere (the CUDA backend, in device memory)
// brings them to the view with parameters_to_host and takes them back with parameters_from_host.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "mmn/data/column_view.h"
#include "mmn/model/optimizer_plan.h"
#include "mmn/ops/operand_precision.h"
#include "mmn/ops/weighted_bce.h"

namespace mmn {

class Communicator;
class MmnModel;
class Optimizer;
class ThreadPool;

class TrainingBackend {
 public:
  virtual ~TrainingBackend() = default;
  // "cpu, 2 threads", "cuda: NVIDIA H100 (device 0)".
  virtual std::string description() const = 0;

  // Forward, loss and backward on this process's rows; the gradients stay in the backend.
  virtual LossValue compute_gradients(const ColumnView& rows, const LossScales& scales) = 0;
  // The rows the next compute_gradients will get (they stay valid until then): a backend may
  // start copying them in while it works on the current step. A hint; forward() drops it.
  virtual void prefetch(const ColumnView& next) = 0;
  // Data parallelism: every rank's gradients become their sum over the ranks.
  virtual void exchange_gradients(Communicator& comm) = 0;
  // What is not finite in the loss or the gradients (naming the tensor); nothing when all is.
  virtual std::optional<std::string> non_finite_gradient(const LossValue& loss) = 0;
  // One optimizer step (Optimizer::next_step) on the current gradients.
  virtual void apply_optimizer(const OptimizerStepPlan& plan) = 0;
  // Logits of every row, row order.
  virtual void forward(const ColumnView& rows, float* ctr_logit, float* cvr_logit) = 0;

  virtual void parameters_to_host() = 0;
  virtual void parameters_from_host() = 0;
  // The current gradients into the host model's (dense().all_grads(), sparse_grads()), and back:
  // for hooks that look at or change them between the backward pass and the optimizer.
  virtual void gradients_to_host() = 0;
  virtual void gradients_from_host() = 0;

  // Pipelined training, for one process: queue_step queues a whole step, its gradients and then
  // `plan`'s update, which is applied only where the loss and every gradient are finite; a
  // backend that computes asynchronously returns without waiting for the step (the CUDA backend
  // decides on the device). settle_step waits for the oldest queued step and says what it found.
  // At most two steps are queued at once. The default runs the step at once, with
  // compute_gradients, non_finite_gradient and apply_optimizer.
  struct SettledStep {
    LossValue loss;
    std::optional<std::string> non_finite;  // what was not finite; then the update was not applied
  };
  virtual void queue_step(const ColumnView& rows, const LossScales& scales, const OptimizerStepPlan& plan);
  virtual SettledStep settle_step();

 private:
  std::deque<SettledStep> settled_;  // the default's steps, run and not yet settled
};

struct BackendContext {
  MmnModel& model;
  Optimizer* optimizer;  // the training's optimizer state; null: forward passes only
  ThreadPool& pool;
  std::uint32_t max_rows = 0;  // the largest batch compute_gradients or forward will see
  int local_rank = 0;          // which GPU of this machine (one per process)
  Communicator* comm = nullptr;  // the job's processes (data parallelism), or null for one
  Precision precision = Precision::fp32;  // operands of the towers' GEMMs (train.precision)
};

using BackendFactory = std::function<std::unique_ptr<TrainingBackend>(const BackendContext&)>;

// A backend other than the CPU one makes itself known here (the CUDA backend, when linked):
// `available` says whether it can run on this machine and, when not, why.
struct BackendRegistration {
  std::function<std::optional<std::string>()> unavailable_reason;  // nothing: available
  BackendFactory make;
};
void register_backend(const std::string& device, BackendRegistration registration);

// train.device: "cpu"; "cuda" (an error naming why when it cannot run here); "auto" (cuda
// where it can run, else cpu).
std::unique_ptr<TrainingBackend> make_backend(const std::string& device, const BackendContext& context);
// The backend make_backend would pick ("cpu" or "cuda"), or the error it would give; cheap,
// so a job checks it before reading any data.
std::string resolve_device(const std::string& device);
// resolve_device, and an error naming the keys when `precision` is not one that device computes in
// (the CPU backend computes in fp32 only; tf32 and bf16 are the CUDA tensor cores').
std::string resolve_device(const std::string& device, Precision precision);

}  // namespace mmn
