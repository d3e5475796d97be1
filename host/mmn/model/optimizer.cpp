#include "mmn/model/optimizer.h"

#include "mmn/model/mmn_model.h"
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
}

void Optimizer::step(MmnModel& model, ThreadPool& pool) {
  ++steps_;
  auto& params = model.dense().all_values();
  const auto& grads = model.dense().all_grads();
  auto& tables = model.embeddings();
  const auto& sparse = model.sparse_grads();
  if (config_.kind == OptimizerKind::adam) {
    adam_update(params.data(), grads.data(), dense_state_[0].data(), dense_state_[1].data(), params.size(),
                config_.adam, steps_, &pool);
    pool.run(tables.size(), [&](std::size_t t) {
      adam_update_rows(tables[t].values.data(), table_state_[t][0].data(), table_state_[t][1].data(), tables[t].dim,
                       sparse[t], config_.adam, steps_);
    });
  } else {
    adagrad_update(params.data(), grads.data(), dense_state_[0].data(), params.size(), config_.adagrad, &pool);
    pool.run(tables.size(), [&](std::size_t t) {
      adagrad_update_rows(tables[t].values.data(), table_state_[t][0].data(), tables[t].dim, sparse[t],
                          config_.adagrad);
    });
  }
}

}  // namespace mmn
