#include "mmn/model/mmn_model.h"

#include <algorithm>
#include <numeric>

#include "mmn/util/error.h"
#include "mmn/util/rng.h"
#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

// The model does not depend on whether the data carries true probabilities.
Schema without_truth(Schema s) {
  s.has_truth = false;
  return s;
}

bool embeds_domain(const ModelConfig& c) { return c.kind == ModelKind::shared || c.domain_features; }

std::uint32_t input_width_of(const ModelConfig& c, const Schema& s) {
  if (c.embedding_dim == 0) fail("model.embedding_dim must be at least 1");
  for (const auto h : c.ctr_hidden)
    if (h == 0) fail("model.ctr_hidden: every layer width must be at least 1");
  for (const auto h : c.cvr_hidden)
    if (h == 0) fail("model.cvr_hidden: every layer width must be at least 1");
  const std::size_t fields = s.categorical.size() + (embeds_domain(c) ? 2 : 0);
  const std::size_t width = fields * c.embedding_dim + s.dense.size();
  if (width == 0) fail("the data has no categorical or dense fields: the model has no input");
  return static_cast<std::uint32_t>(width);
}

TowerShape ctr_shape(const ModelConfig& c, std::uint32_t in) {
  TowerShape t;
  t.in = in;
  t.hidden = c.ctr_hidden;
  return t;
}

TowerShape cvr_shape(const ModelConfig& c, const Schema& s, std::uint32_t in) {
  TowerShape t;
  t.in = in;
  t.hidden = c.cvr_hidden;
  t.groups = c.cvr_groups();
  t.composition = c.cvr_composition();
  if (c.kind != ModelKind::shared) {
    t.grid = DomainGrid{s.n_types, s.n_scenarios};
    t.routed = true;
  }
  return t;
}

void identity_routing(std::size_t n, Routing& r) {
  if (r.order.size() == n && r.n_domains == 1) return;
  r.n_domains = 1;
  r.offsets = {0, static_cast<std::uint32_t>(n)};
  r.order.resize(n);
  std::iota(r.order.begin(), r.order.end(), 0u);
  r.active.assign(n > 0 ? 1 : 0, 0);
}

}  // namespace

MmnModel::MmnModel(const ModelConfig& config, const Schema& schema, std::uint64_t seed)
    : config_(config),
      schema_(without_truth(schema)),
      grid_{schema.n_types, schema.n_scenarios},
      input_width_(input_width_of(config, schema)),
      ctr_tower_("ctr", ctr_shape(config, input_width_), dense_),
      cvr_tower_("cvr", cvr_shape(config, schema, input_width_), dense_) {
  dense_.finalize();
  Rng rng(seed);
  ctr_tower_.initialize(dense_, rng);
  cvr_tower_.initialize(dense_, rng);
  auto add_table = [&](const std::string& name, std::uint64_t rows, bool mapped) {
    EmbeddingTable t;
    t.name = name;
    t.rows = mapped ? rows + 1 : rows;
    if (mapped) {
      t.id_map.resize(rows);
      std::iota(t.id_map.begin(), t.id_map.end(), 0u);
    }
    t.dim = config_.embedding_dim;
    t.values.resize(t.rows * t.dim);
    for (auto& v : t.values) v = static_cast<float>(rng.normal()) * config_.embedding_init_std;
    tables_.push_back(std::move(t));
  };
  for (const auto& f : schema_.categorical) add_table(f.name, f.vocab_size, config_.min_id_count > 1);
  if (embeds_domain(config_)) {
    add_table("type", schema_.n_types, false);
    add_table("scenario", schema_.n_scenarios, false);
  }
}

void MmnModel::domains_of(const ColumnView& rows, std::vector<std::uint32_t>& out) const {
  out.resize(rows.rows);
  for (std::size_t i = 0; i < rows.rows; ++i) out[i] = grid_.domain(rows.type[i], rows.scenario[i]);
}

std::uint64_t MmnModel::forward_macs_per_row() const { return ctr_tower_.macs_per_row() + cvr_tower_.macs_per_row(); }

void MmnModel::embed(const ColumnView& rows, ThreadPool& pool) {
  const std::size_t n = rows.rows;
  domains_of(rows, domain_);
  ids_.assign(rows.categorical.begin(), rows.categorical.end());
  if (embeds_domain(config_)) {
    type_ids_.assign(rows.type, rows.type + n);
    scenario_ids_.assign(rows.scenario, rows.scenario + n);
    ids_.push_back(type_ids_.data());
    ids_.push_back(scenario_ids_.data());
  }
  std::vector<const float*> tables;
  for (const auto& t : tables_) tables.push_back(t.values.data());
  h0_.resize(n * input_width_);
  const std::size_t blocks = (n + 255) / 256;
  pool.run(blocks, [&](std::size_t b) {
    const std::size_t r0 = b * 256, r1 = std::min(n, r0 + 256);
    std::vector<const std::uint32_t*> ids;
    for (const auto* p : ids_) ids.push_back(p + r0);
    std::vector<const float*> dense;
    for (const auto* p : rows.dense) dense.push_back(p + r0);
    embedding_gather(tables, config_.embedding_dim, ids, dense, r1 - r0, h0_.data() + r0 * input_width_);
  });
  identity_routing(n, identity_);
  if (cvr_tower_.layout().routed) route_by_domain(domain_.data(), n, grid_.n_domains(), routing_);
}

void MmnModel::run_cvr_forward(std::size_t n, ThreadPool& pool) {
  cvr_logit_.resize(n);
  if (!cvr_tower_.layout().routed) {
    const float* logit = cvr_tower_.forward(dense_, identity_, h0_.data(), pool);
    std::copy(logit, logit + n, cvr_logit_.begin());
  } else if (config_.routing == RoutingMode::masked) {
    cvr_tower_.masked_forward(dense_, h0_.data(), domain_.data(), n, cvr_logit_.data(), pool);
  } else {
    h0_routed_.resize(n * input_width_);
    gather_rows(routing_, h0_.data(), input_width_, h0_routed_.data(), &pool);
    const float* logit = cvr_tower_.forward(dense_, routing_, h0_routed_.data(), pool);
    scatter_rows(routing_, logit, 1, cvr_logit_.data(), false);
  }
}

void MmnModel::forward(const ColumnView& rows, float* ctr_logit, float* cvr_logit, ThreadPool& pool) {
  const std::size_t n = rows.rows;
  embed(rows, pool);
  const float* ctr = ctr_tower_.forward(dense_, identity_, h0_.data(), pool);
  std::copy(ctr, ctr + n, ctr_logit);
  run_cvr_forward(n, pool);
  std::copy(cvr_logit_.begin(), cvr_logit_.end(), cvr_logit);
}

LossValue MmnModel::compute_gradients(const ColumnView& rows, const LossCounts& counts, const LossOptions& options,
                                      ThreadPool& pool) {
  const std::size_t n = rows.rows;
  embed(rows, pool);
  const float* ctr = ctr_tower_.forward(dense_, identity_, h0_.data(), pool);
  ctr_logit_.assign(ctr, ctr + n);
  run_cvr_forward(n, pool);

  d_ctr_.resize(n);
  d_cvr_.resize(n);
  const LossValue loss = weighted_bce(ctr_logit_.data(), cvr_logit_.data(), rows.click, rows.conv, domain_.data(), n,
                                      counts, options, d_ctr_.data(), d_cvr_.data());

  dense_.zero_grads(pool);
  dh0_.resize(n * input_width_);
  ctr_tower_.backward(dense_, identity_, h0_.data(), d_ctr_.data(), dh0_.data(), pool);
  dh0_routed_.resize(n * input_width_);
  if (!cvr_tower_.layout().routed) {
    cvr_tower_.backward(dense_, identity_, h0_.data(), d_cvr_.data(), dh0_routed_.data(), pool);
    for (std::size_t i = 0; i < dh0_.size(); ++i) dh0_[i] += dh0_routed_[i];
  } else if (config_.routing == RoutingMode::masked) {
    cvr_tower_.masked_backward(dense_, h0_.data(), domain_.data(), n, d_cvr_.data(), dh0_routed_.data(), pool);
    for (std::size_t i = 0; i < dh0_.size(); ++i) dh0_[i] += dh0_routed_[i];
  } else {
    d_cvr_routed_.resize(n);
    gather_rows(routing_, d_cvr_.data(), 1, d_cvr_routed_.data());
    cvr_tower_.backward(dense_, routing_, h0_routed_.data(), d_cvr_routed_.data(), dh0_routed_.data(), pool);
    scatter_rows(routing_, dh0_routed_.data(), input_width_, dh0_.data(), true, &pool);
  }
  embedding_backward(config_.embedding_dim, ids_, n, dh0_.data(), input_width_, sparse_grads_, pool);
  return loss;
}

}  // namespace mmn
