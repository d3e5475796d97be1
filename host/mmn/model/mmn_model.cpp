#include "mmn/model/mmn_model.h"

#include <algorithm>
#include <numeric>

#include "mmn/model/training_step.h"
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
  domains_of_rows(grid_, rows.type, rows.scenario, rows.rows, out.data());
}

std::uint64_t MmnModel::forward_macs_per_row() const { return ctr_tower_.macs_per_row() + cvr_tower_.macs_per_row(); }

void MmnModel::forward(const ColumnView& rows, float* ctr_logit, float* cvr_logit, ThreadPool& pool) {
  CpuStep step(*this, step_buffers_, rows, pool);
  run_forward(step);
  std::copy(step.ctr_logit().begin(), step.ctr_logit().end(), ctr_logit);
  std::copy(step.cvr_logit().begin(), step.cvr_logit().end(), cvr_logit);
}

LossValue MmnModel::compute_gradients(const ColumnView& rows, const LossScales& scales, ThreadPool& pool) {
  CpuStep step(*this, step_buffers_, rows, pool);
  return run_training_step(step, scales);
}

LossValue MmnModel::compute_gradients(const ColumnView& rows, const LossCounts& counts, const LossOptions& options,
                                      ThreadPool& pool) {
  return compute_gradients(rows, loss_scales(counts, options), pool);
}

}  // namespace mmn
