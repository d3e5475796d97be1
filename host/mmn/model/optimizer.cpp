#include "mmn/model/optimizer.h"

#include "mmn/model/mmn_model.h"
#include "mmn/ops/domain_grid.h"
#include "mmn/util/error.h"
#include "mmn/util/thread_pool.h"

namespace mmn {

OptimizerKind parse_optimizer_kind(const std::string& t) {
  if (t == "adam") return OptimizerKind::adam;
  if (t == "adagrad") return OptimizerKind::adagrad;
  fail("unknown optimizer '{}' (choose adam or adagrad)", t);
}

const char* to_string(OptimizerKind k) { return k == OptimizerKind::adam ? "adam" : "adagrad"; }

Optimizer::Optimizer(const OptimizerConfig& config, const MmnModel& model) : config_(config) {
  const bool adam = config_.kind == OptimizerKind::adam;
  const float start = adam ? 0.0f : config_.adagrad.initial_accumulator;
  const std::size_t slots = adam ? 2 : 1;
  dense_state_.assign(slots, std::vector<float>(model.dense().size(), start));
  for (const auto& t : model.embeddings())
    table_state_.emplace_back(slots, std::vector<float>(t.values.size(), start));
  for (const auto& t : model.dense().tensors()) {
    const std::string group = t.name.substr(t.name.rfind('.') + 1);
    const bool specific = group == param_group_name(kType) || group == param_group_name(kScenario) ||
                          group == param_group_name(kDomain);
    const float scale = specific ? config_.specific_lr_scale : 1.0f;
    if (!ranges_.empty() && ranges_.back().lr_scale == scale && ranges_.back().offset + ranges_.back().size == t.offset)
      ranges_.back().size += t.size;
    else
      ranges_.push_back({t.offset, t.size, scale});
  }
}

void Optimizer::step(MmnModel& model, ThreadPool& pool) {
  ++steps_;
  auto& params = model.dense().all_values();
  auto& grads = model.dense().all_grads();
  auto& tables = model.embeddings();
  const auto& sparse = model.sparse_grads();
  if (config_.kind == OptimizerKind::adam) {
    for (const Range& r : ranges_) {
      AdamConfig c = config_.adam;
      c.lr *= r.lr_scale;
      adam_update_zeroing_grads(params.data() + r.offset, grads.data() + r.offset, dense_state_[0].data() + r.offset,
                                dense_state_[1].data() + r.offset, r.size, c, steps_, &pool);
    }
    pool.run(tables.size(), [&](std::size_t t) {
      adam_update_rows(tables[t].values.data(), table_state_[t][0].data(), table_state_[t][1].data(), tables[t].dim,
                       sparse[t], config_.adam, steps_);
    });
  } else {
    for (const Range& r : ranges_) {
      AdagradConfig c = config_.adagrad;
      c.lr *= r.lr_scale;
      adagrad_update_zeroing_grads(params.data() + r.offset, grads.data() + r.offset, dense_state_[0].data() + r.offset,
                                   r.size, c, &pool);
    }
    pool.run(tables.size(), [&](std::size_t t) {
      adagrad_update_rows(tables[t].values.data(), table_state_[t][0].data(), tables[t].dim, sparse[t],
                          config_.adagrad);
    });
  }
  model.dense().grads_left_zero();  // the ranges cover every dense parameter
}

}  // namespace mmn
