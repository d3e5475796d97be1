#include "mmn/model/optimizer.h"

#include <algorithm>
#include <cmath>

#include "mmn/model/mmn_model.h"
#include "mmn/ops/domain_grid.h"
#include "mmn/util/error.h"
#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

OptimizerKind parse_optimizer_kind(const std::string& t) {
  if (t == "adam") return OptimizerKind::adam;
  if (t == "adagrad") return OptimizerKind::adagrad;
  fail("unknown optimizer '{}' (choose adam or adagrad)", t);
}

const char* to_string(OptimizerKind k) { return k == OptimizerKind::adam ? "adam" : "adagrad"; }

EmbeddingOptimizer parse_embedding_optimizer(const std::string& t) {
  if (t == "same") return EmbeddingOptimizer::same;
  if (t == "adam") return EmbeddingOptimizer::adam;
  if (t == "adagrad") return EmbeddingOptimizer::adagrad;
  fail("unknown embedding optimizer '{}' (choose same, adam or adagrad)", t);
}

const char* to_string(EmbeddingOptimizer k) {
  return k == EmbeddingOptimizer::same ? "same" : k == EmbeddingOptimizer::adam ? "adam" : "adagrad";
}

OptimizerKind OptimizerConfig::table_kind() const {
  if (embedding_optimizer == EmbeddingOptimizer::same) return kind;
  return embedding_optimizer == EmbeddingOptimizer::adam ? OptimizerKind::adam : OptimizerKind::adagrad;
}

float OptimizerConfig::table_lr() const {
  const OptimizerKind k = table_kind();
  if (k != kind && embedding_lr > 0) return embedding_lr;
  return k == OptimizerKind::adam ? adam.lr : adagrad.lr;
}

LrDecay parse_lr_decay(const std::string& t) {
  if (t == "none") return LrDecay::none;
  if (t == "linear") return LrDecay::linear;
  if (t == "cosine") return LrDecay::cosine;
  fail("unknown learning-rate decay '{}' (choose none, linear or cosine)", t);
}

const char* to_string(LrDecay d) { return d == LrDecay::none ? "none" : d == LrDecay::linear ? "linear" : "cosine"; }

double learning_rate_factor(const OptimizerConfig& c, std::uint64_t step, std::uint64_t total_steps) {
  if (c.warmup_steps > 0 && step < c.warmup_steps)
    return static_cast<double>(step) / static_cast<double>(c.warmup_steps);
  if (c.decay == LrDecay::none || total_steps <= c.warmup_steps) return 1.0;
  const double span = static_cast<double>(total_steps - c.warmup_steps);
  const double done = std::min(1.0, static_cast<double>(step - std::min(step, c.warmup_steps)) / span);
  const double floor = c.final_lr_fraction;
  const double shape = c.decay == LrDecay::linear ? 1.0 - done : 0.5 * (1.0 + std::cos(kPi * done));
  return floor + (1.0 - floor) * shape;
}

Optimizer::Optimizer(const OptimizerConfig& config, const MmnModel& model) : config_(config) {
  auto slots = [](OptimizerKind k) -> std::size_t { return k == OptimizerKind::adam ? 2 : 1; };
  auto start = [&](OptimizerKind k) { return k == OptimizerKind::adam ? 0.0f : config_.adagrad.initial_accumulator; };
  dense_state_.assign(slots(config_.kind), std::vector<float>(model.dense().size(), start(config_.kind)));
  const OptimizerKind tables = config_.table_kind();
  for (const auto& t : model.embeddings())
    table_state_.emplace_back(slots(tables), std::vector<float>(t.values.size(), start(tables)));
  const bool product = model.config().cvr_composition() == Composition::product;
  for (const auto& t : model.dense().tensors()) {
    const bool specific = t.group != kShared;
    const float scale = specific ? config_.specific_lr_scale : 1.0f;
    const float l2 = t.weight ? config_.dense_l2 : 0.0f;
    // Without L2 the centre means nothing: leave it 0 so that ranges merge (one pass, not one per tensor).
    const float center = l2 > 0 && specific && product ? 1.0f : 0.0f;
    if (!ranges_.empty()) {
      Range& last = ranges_.back();
      if (last.lr_scale == scale && last.l2 == l2 && last.l2_center == center && last.offset + last.size == t.offset) {
        last.size += t.size;
        continue;
      }
    }
    ranges_.push_back({t.offset, t.size, scale, l2, center});
  }
}

OptimizerStepPlan Optimizer::plan(std::uint64_t step) const {
  OptimizerStepPlan p;
  p.adam = config_.kind == OptimizerKind::adam;
  p.tables_adam = config_.table_kind() == OptimizerKind::adam;
  const AdamConfig& a = config_.adam;
  const AdagradConfig& g = config_.adagrad;
  const double factor = lr_factor(step);
  const auto lr = static_cast<float>((p.adam ? a.lr : g.lr) * factor);
  const auto table_lr = static_cast<float>(config_.table_lr() * factor);
  auto adam = [&](float base, float scale, float l2, float center) {
    return make_adam_step(base * scale, a.beta1, a.beta2, a.eps, l2, center, step);
  };
  auto adagrad = [&](float base, float scale, float l2, float center) {
    return AdagradStep{base * scale, g.eps, l2, center};
  };
  for (const Range& r : ranges_) {
    DenseUpdate u;
    u.offset = r.offset, u.size = r.size;
    if (p.adam) u.adam = adam(lr, r.lr_scale, r.l2, r.l2_center);
    else u.adagrad = adagrad(lr, r.lr_scale, r.l2, r.l2_center);
    p.dense.push_back(u);
  }
  if (p.tables_adam) p.table_adam = adam(table_lr, config_.embedding_lr_scale, config_.embedding_l2, 0.0f);
  else p.table_adagrad = adagrad(table_lr, config_.embedding_lr_scale, config_.embedding_l2, 0.0f);
  return p;
}

OptimizerStepPlan Optimizer::next_step() { return plan(++steps_); }

namespace {

// The plan's updates on the host model's parameters, gradients and this optimizer's state.
struct HostOptimizerKernels {
  MmnModel& model;
  std::vector<std::vector<float>>& dense_state;
  std::vector<std::vector<std::vector<float>>>& table_state;
  ThreadPool& pool;

  float* params(const DenseUpdate& u) { return model.dense().all_values().data() + u.offset; }
  float* grads(const DenseUpdate& u) { return model.dense().all_grads().data() + u.offset; }
  float* state(std::size_t slot, const DenseUpdate& u) { return dense_state[slot].data() + u.offset; }

  void dense_adam(const DenseUpdate& u) {
    adam_step_zeroing_grads(params(u), grads(u), state(0, u), state(1, u), u.size, u.adam, &pool);
  }
  void dense_adagrad(const DenseUpdate& u) {
    adagrad_step_zeroing_grads(params(u), grads(u), state(0, u), u.size, u.adagrad, &pool);
  }
  void tables_adam(const AdamStep& s) {
    auto& tables = model.embeddings();
    pool.run(tables.size(), [&](std::size_t t) {
      adam_step_rows(tables[t].values.data(), table_state[t][0].data(), table_state[t][1].data(), tables[t].dim,
                     model.sparse_grads()[t], s);
    });
  }
  void tables_adagrad(const AdagradStep& s) {
    auto& tables = model.embeddings();
    pool.run(tables.size(), [&](std::size_t t) {
      adagrad_step_rows(tables[t].values.data(), table_state[t][0].data(), tables[t].dim, model.sparse_grads()[t], s);
    });
  }
};

}  // namespace

void Optimizer::apply(const OptimizerStepPlan& plan, MmnModel& model, ThreadPool& pool) {
  if (plan.adam != (config_.kind == OptimizerKind::adam) ||
      plan.tables_adam != (config_.table_kind() == OptimizerKind::adam))
    fail("an optimizer step plan for another optimizer");
  apply_optimizer_plan(plan, HostOptimizerKernels{model, dense_state_, table_state_, pool});
  model.dense().grads_left_zero();  // the plan's runs cover every dense parameter
}

}  // namespace mmn
