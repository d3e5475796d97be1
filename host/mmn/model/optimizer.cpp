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
  const bool adam = config_.kind == OptimizerKind::adam;
  const float start = adam ? 0.0f : config_.adagrad.initial_accumulator;
  const std::size_t slots = adam ? 2 : 1;
  dense_state_.assign(slots, std::vector<float>(model.dense().size(), start));
  for (const auto& t : model.embeddings())
    table_state_.emplace_back(slots, std::vector<float>(t.values.size(), start));
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

std::vector<AdamStep> Optimizer::adam_steps(std::uint64_t step) const {
  const auto lr = static_cast<float>(config_.adam.lr * lr_factor(step));
  std::vector<AdamStep> out;
  const AdamConfig& a = config_.adam;
  for (const Range& r : ranges_)
    out.push_back(make_adam_step(lr * r.lr_scale, a.beta1, a.beta2, a.eps, r.l2, r.l2_center, step));
  out.push_back(make_adam_step(lr * config_.embedding_lr_scale, a.beta1, a.beta2, a.eps, config_.embedding_l2, 0.0f,
                               step));
  return out;
}

std::vector<AdagradStep> Optimizer::adagrad_steps(std::uint64_t step) const {
  const auto lr = static_cast<float>(config_.adagrad.lr * lr_factor(step));
  std::vector<AdagradStep> out;
  for (const Range& r : ranges_) out.push_back({lr * r.lr_scale, config_.adagrad.eps, r.l2, r.l2_center});
  out.push_back({lr * config_.embedding_lr_scale, config_.adagrad.eps, config_.embedding_l2, 0.0f});
  return out;
}

void Optimizer::step(MmnModel& model, ThreadPool& pool) {
  ++steps_;
  auto& params = model.dense().all_values();
  auto& grads = model.dense().all_grads();
  auto& tables = model.embeddings();
  const auto& sparse = model.sparse_grads();
  if (config_.kind == OptimizerKind::adam) {
    const std::vector<AdamStep> s = adam_steps(steps_);
    for (std::size_t k = 0; k < ranges_.size(); ++k) {
      const Range& r = ranges_[k];
      adam_step_zeroing_grads(params.data() + r.offset, grads.data() + r.offset, dense_state_[0].data() + r.offset,
                              dense_state_[1].data() + r.offset, r.size, s[k], &pool);
    }
    pool.run(tables.size(), [&](std::size_t t) {
      adam_step_rows(tables[t].values.data(), table_state_[t][0].data(), table_state_[t][1].data(), tables[t].dim,
                     sparse[t], s.back());
    });
  } else {
    const std::vector<AdagradStep> s = adagrad_steps(steps_);
    for (std::size_t k = 0; k < ranges_.size(); ++k) {
      const Range& r = ranges_[k];
      adagrad_step_zeroing_grads(params.data() + r.offset, grads.data() + r.offset, dense_state_[0].data() + r.offset,
                                 r.size, s[k], &pool);
    }
    pool.run(tables.size(), [&](std::size_t t) {
      adagrad_step_rows(tables[t].values.data(), table_state_[t][0].data(), tables[t].dim, sparse[t], s.back());
    });
  }
  model.dense().grads_left_zero();  // the ranges cover every dense parameter
}

}  // namespace mmn
