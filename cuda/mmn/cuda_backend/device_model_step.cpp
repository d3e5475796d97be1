// The device model's training step and forward pass: the parts run_training_step
// (mmn/model/training_step.h) calls, as kernels on the compute stream over the model's memory.
#include <algorithm>
#include <string>

#include "mmn/cuda_backend/device_model_state.h"
#include "mmn/kernels/routing.cuh"
#include "mmn/kernels/weighted_bce.cuh"
#include "mmn/model/training_step.h"

namespace mmn::device {
namespace {

dim3 row_copy_block(std::uint32_t width) { return dim3(std::min(256u, (width + 31) / 32 * 32)); }
dim3 row_copy_grid(std::uint32_t rows) { return dim3(std::max(1u, std::min(rows, 4096u))); }

}  // namespace

// One batch's step: its staged columns, rows and routings, and the loss scales in host memory
// until the step's copies are done.
struct DeviceModel::State::Step {
  State& s;
  const StagedBatch& batch;
  const std::uint32_t rows;
  kernels::ComposedRouting ctr_route, cvr_route;
  std::vector<float> cvr_scale_host;

  Step(State& state, const HostBatch& b)
      : s(state), batch(state.staging.take(b)), rows(static_cast<std::uint32_t>(b.rows)) {}

  void embed() {
    kernels::EmbeddingGatherArgs g;
    g.tables = s.table_pointers.data(), g.ids = batch.id_pointers, g.dense = batch.dense_pointers;
    g.fields = static_cast<std::uint32_t>(s.spec.table_rows.size()), g.dim = s.spec.embedding_dim;
    g.dense_count = s.spec.dense_features, g.rows = rows, g.h0 = s.h0.data();
    kernels::embedding_gather(g, s.compute.get());
  }

  void route() {
    ctr_route = s.ctr_routing.route(s.zero_domain.data(), rows, s.compute.get());
    cvr_route = s.spec.cvr.routed ? s.cvr_routing.route(batch.domain, rows, s.compute.get()) : ctr_route;
  }

  void ctr_forward() {
    const float* out = s.ctr.forward(ctr_route, s.h0.data(), s.compute.get());
    copy_on_device(s.ctr_logit.data(), out, 4 * std::size_t{rows}, s.compute);
  }

  void cvr_forward() {
    const cudaStream_t st = s.compute.get();
    const auto* order = static_cast<const std::uint32_t*>(cvr_route.order);
    MMN_LAUNCH(kernels::gather_rows, row_copy_grid(rows), row_copy_block(s.spec.input_width), 0, st, order, rows,
               static_cast<const float*>(s.h0.data()), s.spec.input_width, s.h0_routed.data());
    const float* out = s.cvr.forward(cvr_route, s.h0_routed.data(), st);
    MMN_LAUNCH(kernels::scatter_rows, row_copy_grid(rows), row_copy_block(1), 0, st, order, rows, out, 1u,
               s.cvr_logit.data(), false);
  }

  void loss(const LossScales& scales) {
    cvr_scale_host.assign(scales.cvr_domain.begin(), scales.cvr_domain.end());
    copy_to_device(s.cvr_scale.data(), cvr_scale_host.data(), 4 * cvr_scale_host.size(), s.compute);
    kernels::WeightedBceArgs b;
    b.ctr_logit = s.ctr_logit.data(), b.cvr_logit = s.cvr_logit.data(), b.click = batch.click, b.conv = batch.conv;
    b.domain = batch.domain, b.rows = rows, b.cvr_scale = s.cvr_scale.data();
    b.params.clicked_mode = scales.cvr_mode == CvrMode::clicked;
    b.params.cvr_weight = static_cast<float>(scales.cvr_weight), b.params.ctr_scale = static_cast<float>(scales.ctr);
    b.d_ctr = s.d_ctr.data(), b.d_cvr = s.d_cvr.data(), b.block_sums = s.block_sums.data(), b.loss = s.loss_sums.data();
    kernels::weighted_bce(b, s.compute.get());
  }

  void zero_gradients() { s.zero_gradients(); }

  // The reducer gets each finished layer's gradients on the communication stream, after the
  // compute stream's work so far.
  void layer_done(const LayerLayout& layer) {
    if (!s.reducer) return;
    s.gradients_ready.record(s.compute);
    s.gradients_ready.make_wait(s.communication);
    s.reducer(s.grads.data() + layer.params_begin, layer.params_end - layer.params_begin,
              static_cast<void*>(s.communication.get()));
  }

  // Rows in row order (identity routing); its input gradient is written into dh0.
  void ctr_backward() {
    s.ctr.backward(ctr_route, s.h0.data(), s.d_ctr.data(), s.dh0.data(), s.compute.get(),
                   [this](const LayerLayout& layer) { layer_done(layer); });
  }

  // Routed rows; its input gradient is scattered back and added into dh0.
  void cvr_backward() {
    const cudaStream_t st = s.compute.get();
    const auto* order = static_cast<const std::uint32_t*>(cvr_route.order);
    MMN_LAUNCH(kernels::gather_rows, row_copy_grid(rows), row_copy_block(1), 0, st, order, rows,
               static_cast<const float*>(s.d_cvr.data()), 1u, s.d_cvr_routed.data());
    s.cvr.backward(cvr_route, s.h0_routed.data(), s.d_cvr_routed.data(), s.dh0_routed.data(), st,
                   [this](const LayerLayout& layer) { layer_done(layer); });
    MMN_LAUNCH(kernels::scatter_rows, row_copy_grid(rows), row_copy_block(s.spec.input_width), 0, st, order, rows,
               static_cast<const float*>(s.dh0_routed.data()), s.spec.input_width, s.dh0.data(), true);
  }

  void embedding_backward() {
    std::vector<kernels::EmbeddingFieldGrad> fields;
    for (std::size_t t = 0; t < s.tables.size(); ++t) {
      kernels::EmbeddingFieldGrad f;
      f.ids = batch.ids[t], f.vocab = static_cast<std::uint32_t>(s.spec.table_rows[t]);
      f.unique_ids = s.unique_ids[t].data(), f.grads = s.sparse_grads[t].data(), f.count = s.sparse_count[t].data();
      fields.push_back(f);
      s.sparse_bound[t] = rows;  // this step's count is at most its rows
    }
    if (!fields.empty())
      kernels::embedding_backward(s.spec.embedding_dim, fields, rows, s.dh0.data(), s.spec.input_width,
                                  s.embedding_workspace, s.compute.get());
  }

  // The batch is released, the next one staged, and the compute stream waits for the gradient
  // buckets' reduction: what is left of the step after its kernels, without waiting.
  void complete() {
    s.staging.release();
    s.staging.stage_announced();  // the copy of the next batch overlaps this step's kernels
    if (s.reducer) {
      s.buckets_reduced.record(s.communication);
      s.buckets_reduced.make_wait(s.compute);
    }
  }

  // Waits for the step's work (and its gradient buckets' reduction) and returns its loss.
  LossValue finish() {
    complete();
    float host_loss[3];
    copy_to_host(host_loss, s.loss_sums.data(), sizeof host_loss, s.compute);
    s.compute.synchronize();
    return {host_loss[0], host_loss[1], host_loss[2]};
  }
};

void DeviceModel::State::zero_gradients() {
  fill_zero(grads.data(), 4 * spec.dense_size, compute);
  for (auto& count : sparse_count) fill_zero(count.data(), 4, compute);
}

void DeviceModel::State::empty_step() {
  zero_gradients();
  fill_zero(loss_sums.data(), sizeof(float) * 3, compute);
}

void DeviceModel::forward(const HostBatch& batch, float* ctr_logit, float* cvr_logit) {
  State& s = *s_;
  const std::size_t n = batch.rows;
  s.staging.drop_announced();  // a batch read ahead is dropped: its slot is reused here
  if (n == 0) return;
  State::Step step(s, batch);
  run_forward(step);
  s.staging.release();
  copy_to_host(ctr_logit, s.ctr_logit.data(), 4 * n, s.compute);
  copy_to_host(cvr_logit, s.cvr_logit.data(), 4 * n, s.compute);
  s.compute.synchronize();
}

void DeviceModel::check_loss_scales(const LossScales& loss) const {
  const std::uint32_t n_domains = s_->spec.grid.n_domains();
  if (loss.cvr_domain.size() != n_domains)
    throw DeviceError("DeviceModel: the loss scales cover " + std::to_string(loss.cvr_domain.size()) +
                      " domains, the model " + std::to_string(n_domains));
}

LossValue DeviceModel::compute_gradients(const HostBatch& batch, const LossScales& loss) {
  State& s = *s_;
  check_loss_scales(loss);
  if (batch.rows == 0) {
    s.empty_step();
    return {};
  }
  State::Step step(s, batch);
  return run_training_step(step, loss);
}

void DeviceModel::queue_training_step(const HostBatch& batch, const LossScales& loss, const OptimizerStepPlan& plan) {
  State& s = *s_;
  if (s.queued_count == 2) throw DeviceError("DeviceModel: two training steps are queued; settle one first");
  if (s.reducer) throw DeviceError("DeviceModel: queued training steps are for a single process");
  check_loss_scales(loss);
  if (batch.rows == 0) {
    s.empty_step();
  } else {
    State::Step step(s, batch);
    mmn::queue_training_step(step, loss);
    step.complete();
  }
  s.count_non_finite();
  apply_optimizer_checked(plan, s.bad.data());
  State::QueuedResult& r = s.queued[(s.queued_first + s.queued_count) % 2];
  copy_to_host(r.loss.data(), s.loss_sums.data(), sizeof(float) * 3, s.compute);
  copy_to_host(r.non_finite.data(), s.bad.data(), sizeof(unsigned int), s.compute);
  r.done.record(s.compute);
  ++s.queued_count;
}

DeviceModel::QueuedStep DeviceModel::settle_queued_step() {
  State& s = *s_;
  if (s.queued_count == 0) throw DeviceError("DeviceModel: no queued training step to settle");
  State::QueuedResult& r = s.queued[s.queued_first];
  r.done.synchronize();
  s.queued_first = (s.queued_first + 1) % 2;
  --s.queued_count;
  const float* l = r.loss.data();
  return {{l[0], l[1], l[2]}, r.non_finite.data()[0]};
}

std::size_t DeviceModel::queued_steps() const { return s_->queued_count; }

}  // namespace mmn::device
