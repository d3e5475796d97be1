#include "mmn/backend/training_backend.h"

#include <utility>

#include "mmn/util/error.h"

namespace mmn {

void TrainingBackend::queue_step(const ColumnView& rows, const LossScales& scales, const OptimizerStepPlan& plan) {
  if (settled_.size() == 2) fail("TrainingBackend: two training steps are queued; settle one first");
  SettledStep step{compute_gradients(rows, scales), std::nullopt};
  step.non_finite = non_finite_gradient(step.loss);
  if (!step.non_finite) apply_optimizer(plan);
  settled_.push_back(std::move(step));
}

TrainingBackend::SettledStep TrainingBackend::settle_step() {
  if (settled_.empty()) fail("TrainingBackend: no queued training step to settle");
  SettledStep step = std::move(settled_.front());
  settled_.pop_front();
  return step;
}

}  // namespace mmn
