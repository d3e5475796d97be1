#include "mmn/model/optimizer_plan.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mmn/model/mmn_model.h"
#include "mmn/model/optimizer.h"
#include "mmn/util/thread_pool.h"
#include "testing/error_of.h"

namespace mmn {
namespace {

struct RecordingKernels {
  std::vector<std::string> calls;
  void dense_adam(const DenseUpdate& u) { calls.push_back("adam " + std::to_string(u.offset)); }
  void dense_adagrad(const DenseUpdate& u) { calls.push_back("adagrad " + std::to_string(u.offset)); }
  void tables_adam(const AdamStep& s) { calls.push_back("tables adam " + std::to_string(s.l2)); }
  void tables_adagrad(const AdagradStep& s) { calls.push_back("tables adagrad " + std::to_string(s.lr)); }
};

OptimizerStepPlan plan_of_two_runs(bool adam, bool tables_adam) {
  OptimizerStepPlan p;
  p.adam = adam;
  p.dense = {{0, 10, {}, {}}, {10, 5, {}, {}}};
  p.tables_adam = tables_adam;
  p.table_adam.l2 = 0.5f;
  p.table_adagrad.lr = 0.25f;
  return p;
}

TEST(ApplyOptimizerPlan, UpdatesEachDenseRunInOrderThenTheTablesWithThePlansOptimizer) {
  RecordingKernels adam, adagrad, mixed;
  apply_optimizer_plan(plan_of_two_runs(true, true), adam);
  apply_optimizer_plan(plan_of_two_runs(false, false), adagrad);
  apply_optimizer_plan(plan_of_two_runs(true, false), mixed);
  EXPECT_EQ(adam.calls, (std::vector<std::string>{"adam 0", "adam 10", "tables adam 0.500000"}));
  EXPECT_EQ(adagrad.calls, (std::vector<std::string>{"adagrad 0", "adagrad 10", "tables adagrad 0.250000"}));
  EXPECT_EQ(mixed.calls, (std::vector<std::string>{"adam 0", "adam 10", "tables adagrad 0.250000"}));
}

TEST(OptimizerApply, RefusesAPlanForTheOtherOptimizer) {
  Schema s;
  s.n_types = 2;
  s.n_scenarios = 2;
  s.categorical = {{"a", 4}};
  ModelConfig c;
  c.embedding_dim = 2;
  c.ctr_hidden = {3};
  c.cvr_hidden = {3};
  MmnModel model(c, s, 1);
  Optimizer adam(OptimizerConfig{}, model);
  ThreadPool pool(1);
  for (const bool tables_adam : {true, false}) {
    const bool dense_adam = !tables_adam;  // (false, true) and (true, false): one part differs
    EXPECT_NE(testing::error_of([&] { adam.apply(plan_of_two_runs(dense_adam, tables_adam), model, pool); })
                  .find("another optimizer"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace mmn
