#include "mmn/cuda_backend/cuda_backend.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "mmn/backend/divergence.h"
#include "mmn/comm/gradient_exchange.h"
#include "mmn/cuda_backend/device_model.h"
#include "mmn/model/mmn_model.h"
#include "mmn/model/optimizer.h"
#include "mmn/util/error.h"
#if defined(MMN_HAVE_NCCL)
#include "mmn/cuda_backend/nccl_reducer.h"
#endif

namespace mmn {

device::ModelSpec device_model_spec(const MmnModel& model, const Optimizer* optimizer, std::uint32_t max_rows,
                                    int device, Precision precision) {
  const ModelConfig& c = model.config();
  if (c.routing == RoutingMode::masked)
    fail("model.routing = \"masked\" runs on the CPU backend only (it is the baseline the grouped routing is measured "
         "against); use train.device = \"cpu\"");
  device::ModelSpec s;
  s.dense_size = model.dense().size();
  for (const EmbeddingTable& t : model.embeddings()) s.table_rows.push_back(t.rows);
  s.categorical_fields = static_cast<std::uint32_t>(model.schema().categorical.size());
  s.embeds_domain = s.table_rows.size() > s.categorical_fields;
  s.dense_features = static_cast<std::uint32_t>(model.schema().dense.size());
  s.embedding_dim = c.embedding_dim;
  s.input_width = model.input_width();
  s.grid = model.grid();
  s.ctr = model.ctr_tower().layout();
  s.cvr = model.cvr_tower().layout();
  s.train = optimizer != nullptr;
  s.adam = s.train && optimizer->config().kind == OptimizerKind::adam;
  s.tables_adam = s.train && optimizer->config().table_kind() == OptimizerKind::adam;
  s.max_rows = max_rows;
  s.precision = precision;
  s.device = device;
  return s;
}

device::HostBatch HostBatchColumns::of(const ColumnView& rows) {
  device::HostBatch b;
  b.rows = rows.rows;
  b.categorical = rows.categorical;
  b.dense = rows.dense;
  b.click = rows.click, b.conv = rows.conv;
  if (rows.domain != nullptr) {
    b.domain = rows.domain;
  } else {
    domain_.resize(rows.rows);
    domains_of_rows(grid_, rows.type, rows.scenario, rows.rows, domain_.data());
    b.domain = domain_.data();
  }
  if (embeds_domain_) {
    type_.assign(rows.type, rows.type + rows.rows);
    scenario_.assign(rows.scenario, rows.scenario + rows.rows);
    b.type = type_.data(), b.scenario = scenario_.data();
  }
  return b;
}

namespace {

// Every rank's sparse gradient rows per table, rank order, over the job's communicator.
std::vector<std::vector<std::uint32_t>> every_ranks_counts(Communicator& comm, const std::vector<std::uint32_t>& mine) {
  const std::string bytes(reinterpret_cast<const char*>(mine.data()), 4 * mine.size());
  std::vector<std::vector<std::uint32_t>> counts;
  for (const std::string& part : comm.all_gather(bytes)) {
    if (part.size() != bytes.size())
      fail("data parallelism: a rank sent sparse gradient counts for {} tables, this one has {}", part.size() / 4,
           mine.size());
    counts.emplace_back(mine.size());
    if (!part.empty()) std::memcpy(counts.back().data(), part.data(), part.size());
  }
  return counts;
}

class CudaBackend final : public TrainingBackend {
 public:
  explicit CudaBackend(const BackendContext& c)
      : model_(c.model),
        optimizer_(c.optimizer),
        device_index_(c.local_rank % device::cuda_device_count()),
        device_(device_model_spec(c.model, c.optimizer, c.max_rows, device_index_, c.precision)),
        batch_(c.model.grid(), c.model.embeds_type_and_scenario()),
        next_batch_(c.model.grid(), c.model.embeds_type_and_scenario()) {
    parameters_from_host();
#if defined(MMN_HAVE_NCCL)
    if (c.comm != nullptr && c.comm->size() > 1) {
      nccl_ = std::make_unique<NcclReducer>(*c.comm, device_index_);
      device_.set_bucket_reducer(
          [this](float* data, std::size_t n, void* stream) { nccl_->sum_in_place(data, n, stream); });
    }
#endif
  }

  std::string description() const override {
    const Precision p = device_.precision();
    return "cuda: " + device_.device_description() +
           (p == Precision::fp32 ? std::string() : std::string(", ") + precision_name(p) + " tensor-core GEMMs");
  }

  LossValue compute_gradients(const ColumnView& rows, const LossScales& scales) override {
    return device_.compute_gradients(batch_.of(rows), scales);
  }

  void prefetch(const ColumnView& next) override {
    device_.set_next_batch(next_batch_.of(next));
  }

  // Dense gradients: with NCCL they were summed in device memory during the backward pass,
  // layer by layer on the communication stream; without it they go through host memory and
  // the job's communicator here. Embedding rows (their ids differ by rank): every rank's rows
  // gathered, over NCCL or through host memory and the communicator, and merged on the device.
  void exchange_gradients(Communicator& comm) override {
    if (!dense_summed_on_device()) {
      std::vector<float>& dense = model_.dense().all_grads();
      device_.download_dense_gradients(dense.data());
      sum_dense_gradients(comm, dense);
      device_.upload_dense_gradients(dense.data());
    }
    device_.merge_sparse_gradients_across_ranks(every_ranks_counts(comm, device_.sparse_gradient_counts()),
                                                row_gatherer(comm));
  }

  // Counted on the device; only when something is not finite do the gradients (and the
  // parameters, which the message may name) come to the host to find the tensor.
  std::optional<std::string> non_finite_gradient(const LossValue& loss) override {
    if (std::isfinite(loss.total) && device_.non_finite_gradients() == 0) return std::nullopt;
    device_.download_dense_gradients(model_.dense().all_grads().data());
    download_sparse_gradients();
    parameters_to_host();
    if (auto what = mmn::non_finite_gradient(loss, model_)) return what;
    return fmt::format("a gradient is not finite (loss {})", loss.total);
  }

  void apply_optimizer(const OptimizerStepPlan& plan) override { device_.apply_optimizer(plan); }

  // The whole step on the compute stream, finiteness counted and the update guarded on the device;
  // the loss and the count come back through pinned memory when the step is settled. With several
  // processes (the exchange needs the host) the step runs at once.
  void queue_step(const ColumnView& rows, const LossScales& scales, const OptimizerStepPlan& plan) override {
    device_.queue_training_step(batch_.of(rows), scales, plan);
  }

  SettledStep settle_step() override {
    const device::DeviceModel::QueuedStep q = device_.settle_queued_step();
    SettledStep step{q.loss, std::nullopt};
    if (q.non_finite > 0 || !std::isfinite(q.loss.total))
      step.non_finite = fmt::format(
          "{} values of the loss and the gradients are not finite (counted on the device, which did not apply the "
          "step's update; the tensor is named when the step runs unpipelined: train.on_divergence = \"skip_batch\")",
          q.non_finite);
    return step;
  }

  void forward(const ColumnView& rows, float* ctr_logit, float* cvr_logit) override {
    device_.forward(batch_.of(rows), ctr_logit, cvr_logit);
  }

  void parameters_to_host() override { download_host_state(device_, model_, optimizer_); }
  void parameters_from_host() override { upload_host_state(device_, model_, optimizer_); }
  void gradients_to_host() override {
    device_.download_dense_gradients(model_.dense().all_grads().data());
    download_sparse_gradients();
  }
  void gradients_from_host() override {
    device_.upload_dense_gradients(model_.dense().all_grads().data());
    upload_sparse_gradients();
  }

 private:
  device::DeviceModel::RankGatherer row_gatherer(Communicator& comm) {
#if defined(MMN_HAVE_NCCL)
    if (nccl_)
      return [this](const void* mine, const std::vector<std::size_t>& sizes, void* into, void* stream) {
        nccl_->gather_in_rank_order(mine, sizes, into, stream);
      };
#endif
    return device_.gather_through_host(comm.rank(), [&comm](const std::string& bytes) { return comm.all_gather(bytes); });
  }

  bool dense_summed_on_device() const {
#if defined(MMN_HAVE_NCCL)
    return nccl_ != nullptr;
#else
    return false;
#endif
  }

  void download_sparse_gradients() { device_.download_sparse_gradients(model_.sparse_grads()); }
  void upload_sparse_gradients() { device_.upload_sparse_gradients(model_.sparse_grads()); }

  MmnModel& model_;
  Optimizer* optimizer_;
  int device_index_;
  device::DeviceModel device_;
#if defined(MMN_HAVE_NCCL)
  std::unique_ptr<NcclReducer> nccl_;
#endif
  HostBatchColumns batch_, next_batch_;
};

}  // namespace

void upload_host_state(device::DeviceModel& device, const MmnModel& model, const Optimizer* optimizer) {
  std::vector<const float*> tables;
  for (const EmbeddingTable& t : model.embeddings()) tables.push_back(t.values.data());
  device.upload_parameters(model.dense().all_values().data(), tables);
  if (optimizer == nullptr) return;
  std::vector<const float*> dense;
  for (const auto& slot : optimizer->dense_state()) dense.push_back(slot.data());
  std::vector<std::vector<const float*>> table_state;
  for (const auto& table : optimizer->table_state()) {
    table_state.emplace_back();
    for (const auto& slot : table) table_state.back().push_back(slot.data());
  }
  device.upload_optimizer_state(dense, table_state);
}

void download_host_state(device::DeviceModel& device, MmnModel& model, Optimizer* optimizer) {
  std::vector<float*> tables;
  for (EmbeddingTable& t : model.embeddings()) tables.push_back(t.values.data());
  device.download_parameters(model.dense().all_values().data(), tables);
  if (optimizer == nullptr) return;
  std::vector<float*> dense;
  for (auto& slot : optimizer->dense_state()) dense.push_back(slot.data());
  std::vector<std::vector<float*>> table_state;
  for (auto& table : optimizer->table_state()) {
    table_state.emplace_back();
    for (auto& slot : table) table_state.back().push_back(slot.data());
  }
  device.download_optimizer_state(dense, table_state);
}

std::unique_ptr<TrainingBackend> make_cuda_backend(const BackendContext& context) {
  return std::make_unique<CudaBackend>(context);
}

void register_cuda_backend() {
  BackendRegistration r;
  r.unavailable_reason = []() -> std::optional<std::string> {
    if (device::cuda_device_count() == 0) return std::string("no CUDA device is visible to this process");
    return std::nullopt;
  };
  r.make = make_cuda_backend;
  register_backend("cuda", std::move(r));
}

}  // namespace mmn
