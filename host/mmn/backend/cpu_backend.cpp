#include "mmn/backend/cpu_backend.h"

#include <fmt/format.h>

#include "mmn/backend/divergence.h"
#include "mmn/comm/gradient_exchange.h"
#include "mmn/model/mmn_model.h"
#include "mmn/model/optimizer.h"
#include "mmn/util/error.h"
#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

class CpuBackend final : public TrainingBackend {
 public:
  explicit CpuBackend(const BackendContext& c) : model_(c.model), optimizer_(c.optimizer), pool_(c.pool) {
    for (const EmbeddingTable& t : model_.embeddings()) table_dims_.push_back(t.dim);
  }

  std::string description() const override { return fmt::format("cpu, {} threads", pool_.size()); }

  LossValue compute_gradients(const ColumnView& rows, const LossScales& scales) override {
    return model_.compute_gradients(rows, scales, pool_);
  }

  void prefetch(const ColumnView&) override {}  // the rows are in memory already

  void exchange_gradients(Communicator& comm) override {
    sum_dense_gradients(comm, model_.dense().all_grads());
    merge_sparse_gradients(comm, model_.sparse_grads(), table_dims_);
  }

  std::optional<std::string> non_finite_gradient(const LossValue& loss) override {
    return mmn::non_finite_gradient(loss, model_);
  }

  void apply_optimizer(const OptimizerStepPlan& plan) override {
    if (optimizer_ == nullptr) fail("the CPU backend was made for forward passes only");
    optimizer_->apply(plan, model_, pool_);
  }

  void forward(const ColumnView& rows, float* ctr_logit, float* cvr_logit) override {
    model_.forward(rows, ctr_logit, cvr_logit, pool_);
  }

  void parameters_to_host() override {}
  void parameters_from_host() override {}
  void gradients_to_host() override {}
  void gradients_from_host() override {}

 private:
  MmnModel& model_;
  Optimizer* optimizer_;
  ThreadPool& pool_;
  std::vector<std::uint32_t> table_dims_;
};

}  // namespace

std::unique_ptr<TrainingBackend> make_cpu_backend(const BackendContext& context) {
  return std::make_unique<CpuBackend>(context);
}

}  // namespace mmn
