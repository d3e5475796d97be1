#include "mmn/model/cpu_step.h"

#include <algorithm>
#include <numeric>

#include "mmn/model/mmn_model.h"
#include "mmn/ops/embedding.h"
#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

constexpr std::size_t kGatherRows = 256;  // rows per embedding-gather task

void identity_routing(std::size_t n, Routing& r) {
  if (r.order.size() == n && r.n_domains == 1) return;
  r.n_domains = 1;
  r.offsets = {0, static_cast<std::uint32_t>(n)};
  r.order.resize(n);
  std::iota(r.order.begin(), r.order.end(), 0u);
  r.active.assign(n > 0 ? 1 : 0, 0);
}

void add_into(std::vector<float>& to, const std::vector<float>& from) {
  for (std::size_t i = 0; i < to.size(); ++i) to[i] += from[i];
}

}  // namespace

CpuStep::CpuStep(MmnModel& model, CpuStepBuffers& buffers, const ColumnView& rows, ThreadPool& pool)
    : m_(model), b_(buffers), rows_(rows), pool_(pool), n_(rows.rows), width_(model.input_width()) {
  if (rows.domain != nullptr) {
    domain_ = rows.domain;
  } else {
    model.domains_of(rows, b_.domain);
    domain_ = b_.domain.data();
  }
}

void CpuStep::embed() {
  b_.ids.assign(rows_.categorical.begin(), rows_.categorical.end());
  if (m_.embeds_type_and_scenario()) {
    b_.type_ids.assign(rows_.type, rows_.type + n_);
    b_.scenario_ids.assign(rows_.scenario, rows_.scenario + n_);
    b_.ids.push_back(b_.type_ids.data());
    b_.ids.push_back(b_.scenario_ids.data());
  }
  std::vector<const float*> tables;
  for (const auto& t : m_.tables_) tables.push_back(t.values.data());
  b_.h0.resize(n_ * width_);
  pool_.run((n_ + kGatherRows - 1) / kGatherRows, [&](std::size_t block) {
    const std::size_t r0 = block * kGatherRows, r1 = std::min(n_, r0 + kGatherRows);
    std::vector<const std::uint32_t*> ids;
    for (const auto* p : b_.ids) ids.push_back(p + r0);
    std::vector<const float*> dense;
    for (const auto* p : rows_.dense) dense.push_back(p + r0);
    embedding_gather(tables, m_.config_.embedding_dim, ids, dense, r1 - r0, b_.h0.data() + r0 * width_);
  });
}

void CpuStep::route() {
  identity_routing(n_, b_.identity);
  if (m_.cvr_tower_.layout().routed) route_by_domain(domain_, n_, m_.grid_.n_domains(), b_.routing);
}

void CpuStep::ctr_forward() {
  const float* logit = m_.ctr_tower_.forward(m_.dense_, b_.identity, b_.h0.data(), pool_);
  b_.ctr_logit.assign(logit, logit + n_);
}

void CpuStep::cvr_forward() {
  Tower& tower = m_.cvr_tower_;
  b_.cvr_logit.resize(n_);
  if (!tower.layout().routed) {
    const float* logit = tower.forward(m_.dense_, b_.identity, b_.h0.data(), pool_);
    std::copy(logit, logit + n_, b_.cvr_logit.begin());
  } else if (m_.config_.routing == RoutingMode::masked) {
    tower.masked_forward(m_.dense_, b_.h0.data(), domain_, n_, b_.cvr_logit.data(), pool_);
  } else {
    b_.h0_routed.resize(n_ * width_);
    gather_rows(b_.routing, b_.h0.data(), width_, b_.h0_routed.data(), &pool_);
    const float* logit = tower.forward(m_.dense_, b_.routing, b_.h0_routed.data(), pool_);
    scatter_rows(b_.routing, logit, 1, b_.cvr_logit.data(), false);
  }
}

void CpuStep::loss(const LossScales& scales) {
  b_.d_ctr.resize(n_);
  b_.d_cvr.resize(n_);
  loss_ = weighted_bce(b_.ctr_logit.data(), b_.cvr_logit.data(), rows_.click, rows_.conv, domain_, n_, scales,
                       b_.d_ctr.data(), b_.d_cvr.data());
}

void CpuStep::zero_gradients() { m_.dense_.zero_grads(pool_); }

void CpuStep::ctr_backward() {
  b_.dh0.resize(n_ * width_);
  m_.ctr_tower_.backward(m_.dense_, b_.identity, b_.h0.data(), b_.d_ctr.data(), b_.dh0.data(), pool_);
}

void CpuStep::cvr_backward() {
  Tower& tower = m_.cvr_tower_;
  b_.dh0_routed.resize(n_ * width_);
  if (!tower.layout().routed) {
    tower.backward(m_.dense_, b_.identity, b_.h0.data(), b_.d_cvr.data(), b_.dh0_routed.data(), pool_);
    add_into(b_.dh0, b_.dh0_routed);
  } else if (m_.config_.routing == RoutingMode::masked) {
    tower.masked_backward(m_.dense_, b_.h0.data(), domain_, n_, b_.d_cvr.data(), b_.dh0_routed.data(), pool_);
    add_into(b_.dh0, b_.dh0_routed);
  } else {
    b_.d_cvr_routed.resize(n_);
    gather_rows(b_.routing, b_.d_cvr.data(), 1, b_.d_cvr_routed.data());
    tower.backward(m_.dense_, b_.routing, b_.h0_routed.data(), b_.d_cvr_routed.data(), b_.dh0_routed.data(), pool_);
    scatter_rows(b_.routing, b_.dh0_routed.data(), width_, b_.dh0.data(), true, &pool_);
  }
}

void CpuStep::embedding_backward() {
  mmn::embedding_backward(m_.config_.embedding_dim, b_.ids, n_, b_.dh0.data(), width_, m_.sparse_grads_, pool_);
}

}  // namespace mmn
