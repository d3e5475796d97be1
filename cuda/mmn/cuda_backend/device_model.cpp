#include "mmn/cuda_backend/device_model.h"

#include <algorithm>

#include "mmn/cuda_backend/device_model_state.h"
#include "mmn/kernels/optimizers.cuh"
#include "mmn/kernels/step_support.cuh"
#include "mmn/kernels/weighted_bce.cuh"

namespace mmn::device {
namespace {

std::size_t embedded_floats(const ModelSpec& spec) {
  std::size_t n = 0;
  for (const auto rows : spec.table_rows) n += rows * spec.embedding_dim;
  return n;
}

}  // namespace

// The plan's updates on the device model's parameters, gradients and optimizer state.
struct DeviceModel::State::OptimizerKernels {
  State& s;
  const unsigned int* skip = nullptr;

  void dense_adam(const DenseUpdate& u) {
    kernels::adam_update(s.params.data() + u.offset, s.grads.data() + u.offset, s.dense_state[0].data() + u.offset,
                         s.dense_state[1].data() + u.offset, u.size, u.adam, s.compute.get(), skip);
  }
  void dense_adagrad(const DenseUpdate& u) {
    kernels::adagrad_update(s.params.data() + u.offset, s.grads.data() + u.offset, s.dense_state[0].data() + u.offset,
                            u.size, u.adagrad, s.compute.get(), skip);
  }
  void tables_adam(const AdamStep& step) {
    for (std::size_t t = 0; t < s.tables.size(); ++t)
      kernels::adam_update_rows(s.tables[t].data(), s.table_state[t][0].data(), s.table_state[t][1].data(),
                                s.spec.embedding_dim, s.unique_ids[t].data(), s.sparse_grads[t].data(),
                                s.sparse_count[t].data(), s.sparse_bound[t], step, s.compute.get(), skip);
  }
  void tables_adagrad(const AdagradStep& step) {
    for (std::size_t t = 0; t < s.tables.size(); ++t)
      kernels::adagrad_update_rows(s.tables[t].data(), s.table_state[t][0].data(), s.spec.embedding_dim,
                                   s.unique_ids[t].data(), s.sparse_grads[t].data(), s.sparse_count[t].data(),
                                   s.sparse_bound[t], step, s.compute.get(), skip);
  }
};

namespace {
// Optimizer state arrays per parameter: Adam keeps (m, v), Adagrad (accumulator), none without training.
std::size_t state_slots(const ModelSpec& spec, bool adam) { return !spec.train ? 0 : adam ? 2 : 1; }
}  // namespace

MemoryPlan plan_memory(const ModelSpec& spec) {
  MemoryPlan p;
  const std::size_t rows = spec.max_rows, tables = embedded_floats(spec);
  const std::size_t dense_slots = state_slots(spec, spec.adam), table_slots = state_slots(spec, spec.tables_adam);
  p.parameters = 4 * (spec.dense_size + tables);
  p.optimizer_state = 4 * (dense_slots * spec.dense_size + table_slots * tables);
  p.gradients = 4 * spec.dense_size + spec.table_rows.size() * rows * 4 * (spec.embedding_dim + 1);
  p.activations =
      4 * rows * (4 * std::size_t{spec.input_width} + tower_activation_floats(spec.ctr) + tower_activation_floats(spec.cvr) + 8);
  p.workspace = RoutingWorkspace::bytes(spec.max_rows, 1) + RoutingWorkspace::bytes(spec.max_rows, spec.grid.n_domains()) +
                4 * 6 * rows + BatchStaging::device_bytes(spec, rows) + 8 * spec.grid.n_domains() +
                (spec.train ? 4 * (tower_fold_scratch_floats(spec.ctr, spec.max_rows) +
                                   tower_fold_scratch_floats(spec.cvr, spec.max_rows))
                            : 0);
  return p;
}

int cuda_device_count() { return device_count(); }

DeviceModel::State::State(const ModelSpec& s)
    : spec(s),
      params(s.dense_size),
      grads(s.dense_size),
      staging(s, copy, compute),
      zero_domain(s.max_rows),
      h0(std::size_t{s.max_rows} * s.input_width),
      h0_routed(std::size_t{s.max_rows} * s.input_width),
      dh0(std::size_t{s.max_rows} * s.input_width),
      dh0_routed(std::size_t{s.max_rows} * s.input_width),
      ctr_logit(s.max_rows),
      cvr_logit(s.max_rows),
      d_ctr(s.max_rows),
      d_cvr(s.max_rows),
      d_cvr_routed(s.max_rows),
      cvr_scale(std::size_t{s.grid.n_domains()}),
      block_sums(2 * std::size_t{kernels::bce_blocks(s.max_rows)}),
      loss_sums(3),
      bad(1),
      ctr_routing(s.max_rows, 1),
      cvr_routing(s.max_rows, s.cvr.routed ? s.grid.n_domains() : 1),
      ctr(s.ctr, params.data(), grads.data(), s.max_rows, s.precision, s.train),
      cvr(s.cvr, params.data(), grads.data(), s.max_rows, s.precision, s.train),
      embedding_workspace(s.max_rows) {
  const std::size_t dense_slots = state_slots(s, s.adam), table_slots = state_slots(s, s.tables_adam);
  for (std::size_t k = 0; k < dense_slots; ++k) dense_state.emplace_back(s.dense_size);
  std::vector<const float*> pointers;
  for (const auto table_rows : s.table_rows) {
    tables.emplace_back(table_rows * s.embedding_dim);
    pointers.push_back(tables.back().data());
    table_state.emplace_back();
    for (std::size_t k = 0; k < table_slots; ++k) table_state.back().emplace_back(table_rows * s.embedding_dim);
    unique_ids.emplace_back(s.max_rows);
    sparse_grads.emplace_back(std::size_t{s.max_rows} * s.embedding_dim);
    sparse_count.emplace_back(1);
    sparse_bound.push_back(s.max_rows);
  }
  table_pointers = DeviceBuffer<const float*>(pointers);
  kernels::fill(zero_domain.data(), s.max_rows, 0, compute.get());
}

DeviceModel::DeviceModel(const ModelSpec& spec) {
  if (spec.max_rows == 0) throw DeviceError("DeviceModel: max_rows must be at least 1");
  if (spec.embedding_dim == 0 && !spec.table_rows.empty()) throw DeviceError("DeviceModel: embedding_dim is 0");
  for (const auto rows : spec.table_rows)
    if (rows > 0xffffffffull) throw DeviceError("DeviceModel: an embedding table has more than 2^32 rows");
  select_device(spec.device);
  const MemoryPlan plan = plan_memory(spec);
  const MemoryInfo memory = memory_info();
  if (plan.total() > memory.free) {
    auto mib = [](std::size_t b) { return std::to_string((b + (1u << 20) - 1) >> 20) + " MiB"; };
    throw DeviceError("not enough device memory on " + device_name(spec.device) + " (device " +
                      std::to_string(spec.device) + "): the model needs " + mib(plan.total()) + " (parameters " +
                      mib(plan.parameters) + ", optimizer state " + mib(plan.optimizer_state) + ", gradients " +
                      mib(plan.gradients) + ", activations for " + std::to_string(spec.max_rows) + " rows " +
                      mib(plan.activations) + ", workspace " + mib(plan.workspace) + ") and " + mib(memory.free) +
                      " of " + mib(memory.total) + " are free; lower train.batch_size or train.eval_batch_size");
  }
  s_ = std::make_unique<State>(spec);
}

DeviceModel::~DeviceModel() = default;

std::string DeviceModel::device_description() const {
  return device_name(s_->spec.device) + (kEmulated ? "" : " (device " + std::to_string(s_->spec.device) + ")");
}

Precision DeviceModel::precision() const { return s_->spec.precision; }

void DeviceModel::upload_parameters(const float* dense, const std::vector<const float*>& tables) {
  State& s = *s_;
  copy_to_device(s.params.data(), dense, 4 * s.spec.dense_size, s.compute);
  for (std::size_t t = 0; t < s.tables.size(); ++t)
    copy_to_device(s.tables[t].data(), tables.at(t), 4 * s.tables[t].size(), s.compute);
  s.compute.synchronize();
}

void DeviceModel::download_parameters(float* dense, const std::vector<float*>& tables) {
  State& s = *s_;
  copy_to_host(dense, s.params.data(), 4 * s.spec.dense_size, s.compute);
  for (std::size_t t = 0; t < s.tables.size(); ++t)
    copy_to_host(tables.at(t), s.tables[t].data(), 4 * s.tables[t].size(), s.compute);
  s.compute.synchronize();
}

void DeviceModel::upload_optimizer_state(const std::vector<const float*>& dense,
                                         const std::vector<std::vector<const float*>>& tables) {
  State& s = *s_;
  for (std::size_t k = 0; k < s.dense_state.size(); ++k)
    copy_to_device(s.dense_state[k].data(), dense.at(k), 4 * s.spec.dense_size, s.compute);
  for (std::size_t t = 0; t < s.table_state.size(); ++t)
    for (std::size_t k = 0; k < s.table_state[t].size(); ++k)
      copy_to_device(s.table_state[t][k].data(), tables.at(t).at(k), 4 * s.table_state[t][k].size(), s.compute);
  s.compute.synchronize();
}

void DeviceModel::download_optimizer_state(const std::vector<float*>& dense,
                                           const std::vector<std::vector<float*>>& tables) {
  State& s = *s_;
  for (std::size_t k = 0; k < s.dense_state.size(); ++k)
    copy_to_host(dense.at(k), s.dense_state[k].data(), 4 * s.spec.dense_size, s.compute);
  for (std::size_t t = 0; t < s.table_state.size(); ++t)
    for (std::size_t k = 0; k < s.table_state[t].size(); ++k)
      copy_to_host(tables.at(t).at(k), s.table_state[t][k].data(), 4 * s.table_state[t][k].size(), s.compute);
  s.compute.synchronize();
}

void DeviceModel::set_next_batch(const HostBatch& next) { s_->staging.announce(next); }

void DeviceModel::State::count_non_finite() {
  const cudaStream_t st = compute.get();
  fill_zero(bad.data(), 4, compute);
  kernels::add_non_finite_count(loss_sums.data(), 3, bad.data(), st);
  kernels::add_non_finite_count(grads.data(), spec.dense_size, bad.data(), st);
  for (std::size_t t = 0; t < tables.size(); ++t)
    kernels::add_non_finite_count_rows(sparse_grads[t].data(), sparse_count[t].data(), sparse_bound[t],
                                       spec.embedding_dim, bad.data(), st);
}

std::uint64_t DeviceModel::non_finite_gradients() {
  State& s = *s_;
  s.count_non_finite();
  unsigned int bad = 0;
  copy_to_host(&bad, s.bad.data(), 4, s.compute);
  s.compute.synchronize();
  return bad;
}

void DeviceModel::download_dense_gradients(float* out) {
  copy_to_host(out, s_->grads.data(), 4 * s_->spec.dense_size, s_->compute);
  s_->compute.synchronize();
}

void DeviceModel::upload_dense_gradients(const float* in) {
  copy_to_device(s_->grads.data(), in, 4 * s_->spec.dense_size, s_->compute);
  s_->compute.synchronize();
}

float* DeviceModel::dense_gradients_on_device() { return s_->grads.data(); }

void DeviceModel::set_bucket_reducer(BucketReducer reducer) { s_->reducer = std::move(reducer); }

void DeviceModel::download_sparse_gradients(std::vector<SparseRows>& out) {
  State& s = *s_;
  const std::uint32_t dim = s.spec.embedding_dim;
  out.resize(s.tables.size());
  for (std::size_t t = 0; t < s.tables.size(); ++t) {
    std::uint32_t count = 0;
    copy_to_host(&count, s.sparse_count[t].data(), 4, s.compute);
    s.compute.synchronize();
    out[t].ids.resize(count);
    out[t].grads.resize(std::size_t{count} * dim);
    copy_to_host(out[t].ids.data(), s.unique_ids[t].data(), 4 * std::size_t{count}, s.compute);
    copy_to_host(out[t].grads.data(), s.sparse_grads[t].data(), 4 * out[t].grads.size(), s.compute);
  }
  s.compute.synchronize();
}

void DeviceModel::upload_sparse_gradients(const std::vector<SparseRows>& in) {
  State& s = *s_;
  const std::uint32_t dim = s.spec.embedding_dim;
  if (in.size() != s.tables.size()) throw DeviceError("DeviceModel: sparse gradients for the wrong number of tables");
  s.compute.synchronize();  // the buffers may be replaced below
  for (std::size_t t = 0; t < s.tables.size(); ++t) {
    const auto count = static_cast<std::uint32_t>(in[t].ids.size());
    if (in[t].grads.size() != std::size_t{count} * dim)
      throw DeviceError("DeviceModel: sparse gradient rows and ids disagree for table " + std::to_string(t));
    if (count > s.unique_ids[t].size()) {
      s.unique_ids[t] = DeviceBuffer<std::uint32_t>(count);
      s.sparse_grads[t] = DeviceBuffer<float>(std::size_t{count} * dim);
    }
    s.sparse_bound[t] = std::max<std::uint32_t>(count, 1);
    copy_to_device(s.unique_ids[t].data(), in[t].ids.data(), 4 * std::size_t{count}, s.compute);
    copy_to_device(s.sparse_grads[t].data(), in[t].grads.data(), 4 * in[t].grads.size(), s.compute);
    copy_to_device(s.sparse_count[t].data(), &count, 4, s.compute);
    s.compute.synchronize();  // `count` lives on this stack frame
  }
}

void DeviceModel::apply_optimizer(const OptimizerStepPlan& plan) {
  apply_optimizer_checked(plan, nullptr);
  s_->compute.synchronize();
}

void DeviceModel::apply_optimizer_checked(const OptimizerStepPlan& plan, const unsigned int* skip) {
  State& s = *s_;
  if (!s.spec.train) throw DeviceError("DeviceModel: apply_optimizer on a model made for forward passes only");
  if (plan.adam != s.spec.adam || plan.tables_adam != s.spec.tables_adam)
    throw DeviceError("DeviceModel: the optimizer step plan is for another optimizer");
  for (const DenseUpdate& u : plan.dense)
    if (u.offset > s.spec.dense_size || u.size > s.spec.dense_size - u.offset)
      throw DeviceError("DeviceModel: the optimizer step plan reaches past the dense parameters");
  apply_optimizer_plan(plan, State::OptimizerKernels{s, skip});
}

}  // namespace mmn::device
