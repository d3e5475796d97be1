#pragma once
// The optimizer of a model: Adam or Adagrad, one fused pass over the dense
// parameters and sparse ("lazy") updates of the embedding rows a batch touched.
#include <cstdint>
#include <string>
#include <vector>

#include "mmn/ops/optimizers.h"

namespace mmn {

class MmnModel;
class ThreadPool;

enum class OptimizerKind { adam, adagrad };
OptimizerKind parse_optimizer_kind(const std::string& text);
const char* to_string(OptimizerKind kind);

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::adam;
  AdamConfig adam;
  AdagradConfig adagrad;
  // Learning-rate multiplier for the type-, scenario- and domain-specific parameter sets.
  // In a product composition they start at 1 and act as relative factors, so an equal
  // step moves them proportionally much less than the shared weights.
  float specific_lr_scale = 1.0f;
};

class Optimizer {
 public:
  Optimizer(const OptimizerConfig& config, const MmnModel& model);

  // Applies the model's current gradients and leaves the dense ones zero (so the next backward
  // pass needs no zeroing pass); the step count goes up by one.
  void step(MmnModel& model, ThreadPool& pool);
  std::uint64_t steps() const { return steps_; }
  void set_steps(std::uint64_t steps) { steps_ = steps; }

  // State slots: Adam keeps (m, v), Adagrad (accumulator). dense_state()[slot] is laid out
  // like the model's dense parameters; table_state()[table][slot] like that table.
  std::vector<std::vector<float>>& dense_state() { return dense_state_; }
  const std::vector<std::vector<float>>& dense_state() const { return dense_state_; }
  std::vector<std::vector<std::vector<float>>>& table_state() { return table_state_; }
  const std::vector<std::vector<std::vector<float>>>& table_state() const { return table_state_; }
  const OptimizerConfig& config() const { return config_; }

  struct Range {
    std::size_t offset, size;
    float lr_scale;
  };
  // The dense parameters in runs of equal learning-rate scale.
  const std::vector<Range>& lr_ranges() const { return ranges_; }

 private:
  OptimizerConfig config_;
  std::uint64_t steps_ = 0;
  std::vector<std::vector<float>> dense_state_;
  std::vector<std::vector<std::vector<float>>> table_state_;
  std::vector<Range> ranges_;
};

}  // namespace mmn
