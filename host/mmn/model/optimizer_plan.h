#pragma once
// One optimizer step as the host Optimizer makes it (the schedule's learning rate, the
// learning-rate scales, L2) and as every backend applies it: the constants of each run of
// dense parameters and of the embedding tables' touched rows. apply_optimizer_plan is the
// order of the updates; a backend supplies the four kernels it calls.
#include <cstddef>
#include <vector>

#include "mmn/ops/optimizer_step.h"

namespace mmn {

// A run of the flat dense parameters and its update's constants (only the plan's optimizer's).
struct DenseUpdate {
  std::size_t offset = 0, size = 0;
  AdamStep adam{};
  AdagradStep adagrad{};
};

struct OptimizerStepPlan {
  bool adam = true;                // the dense parameters' optimizer; else Adagrad
  std::vector<DenseUpdate> dense;  // disjoint runs covering every dense parameter
  bool tables_adam = true;         // the embedding tables' optimizer; else Adagrad
  AdamStep table_adam{};
  AdagradStep table_adagrad{};
};

// Kernels: dense_adam(const DenseUpdate&), dense_adagrad(const DenseUpdate&),
// tables_adam(const AdamStep&), tables_adagrad(const AdagradStep&).
template <class Kernels>
void apply_optimizer_plan(const OptimizerStepPlan& plan, Kernels&& kernels) {
  for (const DenseUpdate& u : plan.dense) {
    if (plan.adam) kernels.dense_adam(u);
    else kernels.dense_adagrad(u);
  }
  if (plan.tables_adam) kernels.tables_adam(plan.table_adam);
  else kernels.tables_adagrad(plan.table_adagrad);
}

}  // namespace mmn
