#include <algorithm>

#include "mmn/cuda_backend/device_model_state.h"
#include "mmn/kernels/routing.cuh"
#include "mmn/kernels/step_support.cuh"
#include "mmn/kernels/weighted_bce.cuh"

namespace mmn::device {
namespace {

dim3 row_copy_block(std::uint32_t width) { return dim3(std::min(256u, (width + 31) / 32 * 32)); }
dim3 row_copy_grid(std::uint32_t rows) { return dim3(std::max(1u, std::min(rows, 4096u))); }

}  // namespace

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
      ctr(s.ctr, params.data(), grads.data(), s.max_rows),
      cvr(s.cvr, params.data(), grads.data(), s.max_rows),
      embedding_workspace(s.max_rows) {
  const std::size_t state_slots = !s.train ? 0 : s.adam ? 2 : 1;
  for (std::size_t k = 0; k < state_slots; ++k) dense_state.emplace_back(s.dense_size);
  std::vector<const float*> pointers;
  for (const auto table_rows : s.table_rows) {
    tables.emplace_back(table_rows * s.embedding_dim);
    pointers.push_back(tables.back().data());
    table_state.emplace_back();
    for (std::size_t k = 0; k < state_slots; ++k) table_state.back().emplace_back(table_rows * s.embedding_dim);
    unique_ids.emplace_back(s.max_rows);
    sparse_grads.emplace_back(std::size_t{s.max_rows} * s.embedding_dim);
    sparse_count.emplace_back(1);
    sparse_bound.push_back(s.max_rows);
  }
  table_pointers = DeviceBuffer<const float*>(pointers);
  kernels::fill(zero_domain.data(), s.max_rows, 0, compute.get());
}

void DeviceModel::State::begin(const HostBatch& b) {
  batch = &staging.take(b);
  rows = static_cast<std::uint32_t>(b.rows);
}

void DeviceModel::State::embed() {
  kernels::EmbeddingGatherArgs g;
  g.tables = table_pointers.data(), g.ids = batch->id_pointers, g.dense = batch->dense_pointers;
  g.fields = static_cast<std::uint32_t>(spec.table_rows.size()), g.dim = spec.embedding_dim;
  g.dense_count = spec.dense_features, g.rows = rows, g.h0 = h0.data();
  kernels::embedding_gather(g, compute.get());
}

void DeviceModel::State::route() {
  ctr_route = ctr_routing.route(zero_domain.data(), rows, compute.get());
  cvr_route = spec.cvr.routed ? cvr_routing.route(batch->domain, rows, compute.get()) : ctr_route;
}

void DeviceModel::State::ctr_forward() {
  const float* out = ctr.forward(ctr_route, h0.data(), compute.get());
  copy_on_device(ctr_logit.data(), out, 4 * std::size_t{rows}, compute);
}

void DeviceModel::State::cvr_forward() {
  const cudaStream_t st = compute.get();
  const auto* order = static_cast<const std::uint32_t*>(cvr_route.order);
  MMN_LAUNCH(kernels::gather_rows, row_copy_grid(rows), row_copy_block(spec.input_width), 0, st, order, rows,
             static_cast<const float*>(h0.data()), spec.input_width, h0_routed.data());
  const float* out = cvr.forward(cvr_route, h0_routed.data(), st);
  MMN_LAUNCH(kernels::scatter_rows, row_copy_grid(rows), row_copy_block(1), 0, st, order, rows, out, 1u,
             cvr_logit.data(), false);
}

void DeviceModel::State::loss(const LossScales& scales) {
  cvr_scale_host.assign(scales.cvr_domain.begin(), scales.cvr_domain.end());
  copy_to_device(cvr_scale.data(), cvr_scale_host.data(), 4 * cvr_scale_host.size(), compute);
  kernels::WeightedBceArgs b;
  b.ctr_logit = ctr_logit.data(), b.cvr_logit = cvr_logit.data(), b.click = batch->click, b.conv = batch->conv;
  b.domain = batch->domain, b.rows = rows, b.cvr_scale = cvr_scale.data();
  b.params.clicked_mode = scales.cvr_mode == CvrMode::clicked;
  b.params.cvr_weight = static_cast<float>(scales.cvr_weight), b.params.ctr_scale = static_cast<float>(scales.ctr);
  b.d_ctr = d_ctr.data(), b.d_cvr = d_cvr.data(), b.block_sums = block_sums.data(), b.loss = loss_sums.data();
  kernels::weighted_bce(b, compute.get());
}

void DeviceModel::State::zero_gradients() {
  fill_zero(grads.data(), 4 * spec.dense_size, compute);
  for (auto& count : sparse_count) fill_zero(count.data(), 4, compute);
}

void DeviceModel::State::layer_done(const LayerLayout& layer) {
  if (!reducer) return;
  gradients_ready.record(compute);
  gradients_ready.make_wait(communication);
  reducer(grads.data() + layer.params_begin, layer.params_end - layer.params_begin,
          static_cast<void*>(communication.get()));
}

// Rows in row order (identity routing); its input gradient is written into dh0.
void DeviceModel::State::ctr_backward() {
  ctr.backward(ctr_route, h0.data(), d_ctr.data(), dh0.data(), compute.get(),
               [this](const LayerLayout& layer) { layer_done(layer); });
}

// Routed rows; its input gradient is scattered back and added into dh0.
void DeviceModel::State::cvr_backward() {
  const cudaStream_t st = compute.get();
  const auto* order = static_cast<const std::uint32_t*>(cvr_route.order);
  MMN_LAUNCH(kernels::gather_rows, row_copy_grid(rows), row_copy_block(1), 0, st, order, rows,
             static_cast<const float*>(d_cvr.data()), 1u, d_cvr_routed.data());
  cvr.backward(cvr_route, h0_routed.data(), d_cvr_routed.data(), dh0_routed.data(), st,
               [this](const LayerLayout& layer) { layer_done(layer); });
  MMN_LAUNCH(kernels::scatter_rows, row_copy_grid(rows), row_copy_block(spec.input_width), 0, st, order, rows,
             static_cast<const float*>(dh0_routed.data()), spec.input_width, dh0.data(), true);
}

void DeviceModel::State::embedding_backward() {
  std::vector<kernels::EmbeddingFieldGrad> fields;
  for (std::size_t t = 0; t < tables.size(); ++t) {
    kernels::EmbeddingFieldGrad f;
    f.ids = batch->ids[t], f.vocab = static_cast<std::uint32_t>(spec.table_rows[t]);
    f.unique_ids = unique_ids[t].data(), f.grads = sparse_grads[t].data(), f.count = sparse_count[t].data();
    fields.push_back(f);
    sparse_bound[t] = rows;  // this step's count is at most its rows
  }
  if (!fields.empty())
    kernels::embedding_backward(spec.embedding_dim, fields, rows, dh0.data(), spec.input_width, embedding_workspace,
                                compute.get());
}

LossValue DeviceModel::State::finish() {
  staging.release();
  staging.stage_announced();  // the copy of the next batch overlaps this step's kernels
  if (reducer) {
    buckets_reduced.record(communication);
    buckets_reduced.make_wait(compute);
  }
  float host_loss[3];
  copy_to_host(host_loss, loss_sums.data(), sizeof host_loss, compute);
  compute.synchronize();
  return {host_loss[0], host_loss[1], host_loss[2]};
}

}  // namespace mmn::device
