#pragma once
// The optimizer of a model: Adam or Adagrad, one fused pass over the dense
// parameters and sparse ("lazy") updates of the embedding rows a batch touched.
#include <cstdint>
#include <string>
#include <vector>

#include "mmn/model/optimizer_plan.h"
#include "mmn/ops/optimizers.h"

namespace mmn {

class MmnModel;
class ThreadPool;

enum class OptimizerKind { adam, adagrad };
OptimizerKind parse_optimizer_kind(const std::string& text);
const char* to_string(OptimizerKind kind);

// The embedding tables' optimizer: the dense parameters' one, or the other one (the field's
// common choice for sparse features is Adagrad beside Adam for the dense layers).
enum class EmbeddingOptimizer { same, adam, adagrad };
EmbeddingOptimizer parse_embedding_optimizer(const std::string& text);
const char* to_string(EmbeddingOptimizer kind);

enum class LrDecay { none, linear, cosine };
LrDecay parse_lr_decay(const std::string& text);
const char* to_string(LrDecay decay);

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::adam;
  AdamConfig adam;
  AdagradConfig adagrad;
  // Learning-rate multiplier for the type-, scenario- and domain-specific parameter sets.
  // In a product composition they start at 1 and act as relative factors, so an equal
  // step moves them proportionally much less than the shared weights.
  float specific_lr_scale = 1.0f;
  float embedding_lr_scale = 1.0f;  // learning-rate multiplier for the embedding tables
  EmbeddingOptimizer embedding_optimizer = EmbeddingOptimizer::same;
  // The tables' learning rate when their optimizer is not `kind`; 0: that optimizer's own lr
  // (adam.lr or adagrad.lr, whose defaults are 0.001 and 0.05).
  float embedding_lr = 0.0f;
  // L2 as a gradient term l2 * p on the embedding rows a batch touches, and on the towers'
  // weights (not biases; a product composition's type and scenario factors are pulled to 1).
  float embedding_l2 = 0.0f;
  float dense_l2 = 0.0f;
  // Learning-rate schedule: linear warm-up from 0 over warmup_steps, then decay to
  // final_lr_fraction x lr at the last step.
  std::uint64_t warmup_steps = 0;
  LrDecay decay = LrDecay::none;
  float final_lr_fraction = 0.0f;

  OptimizerKind table_kind() const;
  // The tables' learning rate before embedding_lr_scale and the schedule.
  float table_lr() const;
};

// The schedule's learning-rate multiplier at a 1-based step of total_steps.
double learning_rate_factor(const OptimizerConfig& config, std::uint64_t step, std::uint64_t total_steps);

class Optimizer {
 public:
  Optimizer(const OptimizerConfig& config, const MmnModel& model);

  // The next step's plan, for any backend: the step count goes up by one.
  OptimizerStepPlan next_step();
  // A plan applied on the host: the model's current gradients, leaving the dense ones zero (so
  // the next backward pass needs no zeroing pass).
  void apply(const OptimizerStepPlan& plan, MmnModel& model, ThreadPool& pool);
  // apply(next_step(), ...).
  void step(MmnModel& model, ThreadPool& pool) { apply(next_step(), model, pool); }
  std::uint64_t steps() const { return steps_; }
  void set_steps(std::uint64_t steps) { steps_ = steps; }
  // The run's length, for the schedule's decay (0: no decay).
  void set_total_steps(std::uint64_t total) { total_steps_ = total; }
  // The schedule's multiplier at a 1-based step.
  double lr_factor(std::uint64_t step) const { return learning_rate_factor(config_, step, total_steps_); }
  // Every update's constants at a 1-based step.
  OptimizerStepPlan plan(std::uint64_t step) const;

  // State slots: Adam keeps (m, v), Adagrad (accumulator), each by its own part's optimizer.
  // dense_state()[slot] is laid out like the model's dense parameters; table_state()[table][slot]
  // like that table.
  std::vector<std::vector<float>>& dense_state() { return dense_state_; }
  const std::vector<std::vector<float>>& dense_state() const { return dense_state_; }
  std::vector<std::vector<std::vector<float>>>& table_state() { return table_state_; }
  const std::vector<std::vector<std::vector<float>>>& table_state() const { return table_state_; }
  const OptimizerConfig& config() const { return config_; }

  struct Range {
    std::size_t offset, size;
    float lr_scale;
    float l2, l2_center;
  };
  // The dense parameters in runs of equal learning-rate scale and regularisation.
  const std::vector<Range>& lr_ranges() const { return ranges_; }

 private:
  OptimizerConfig config_;
  std::uint64_t steps_ = 0;
  std::uint64_t total_steps_ = 0;
  std::vector<std::vector<float>> dense_state_;
  std::vector<std::vector<std::vector<float>>> table_state_;
  std::vector<Range> ranges_;
};

}  // namespace mmn
