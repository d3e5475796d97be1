#include "mmn/model/optimizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "mmn/model/mmn_model.h"
#include "mmn/util/error.h"
#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

TEST(LearningRateSchedule, WarmsUpLinearlyThenDecaysToTheFinalFraction) {
  OptimizerConfig c;
  EXPECT_EQ(learning_rate_factor(c, 1, 100), 1.0);  // no schedule
  c.warmup_steps = 10;
  EXPECT_DOUBLE_EQ(learning_rate_factor(c, 1, 100), 0.1);
  EXPECT_DOUBLE_EQ(learning_rate_factor(c, 5, 100), 0.5);
  EXPECT_DOUBLE_EQ(learning_rate_factor(c, 10, 100), 1.0);
  EXPECT_DOUBLE_EQ(learning_rate_factor(c, 100, 100), 1.0);
  c.decay = LrDecay::linear;
  c.final_lr_fraction = 0.2f;
  EXPECT_DOUBLE_EQ(learning_rate_factor(c, 10, 110), 1.0);
  EXPECT_NEAR(learning_rate_factor(c, 60, 110), 0.6, 1e-7);  // halfway: 0.2 + 0.8 / 2
  EXPECT_NEAR(learning_rate_factor(c, 110, 110), 0.2, 1e-7);
  EXPECT_NEAR(learning_rate_factor(c, 500, 110), 0.2, 1e-7);  // past the end: stays at the floor
  c.decay = LrDecay::cosine;
  EXPECT_NEAR(learning_rate_factor(c, 60, 110), 0.6, 1e-7);
  EXPECT_NEAR(learning_rate_factor(c, 35, 110), 0.2 + 0.8 * 0.5 * (1 + std::cos(M_PI / 4)), 1e-7);
  EXPECT_NEAR(learning_rate_factor(c, 110, 110), 0.2, 1e-7);
  EXPECT_THROW(parse_lr_decay("step"), Error);
}

ModelConfig small_model(Composition composition = Composition::product) {
  ModelConfig m;
  m.composition = composition;
  m.embedding_dim = 2;
  m.ctr_hidden = {3};
  m.cvr_hidden = {4};
  return m;
}

Schema small_schema() {
  Schema s;
  s.n_types = 2;
  s.n_scenarios = 3;
  s.categorical = {{"a", 5}};
  s.dense = {"x"};
  return s;
}

// L2 reaches the towers' weights only; a product composition's specific factors are pulled to
// their neutral 1, a sum composition's (and the shared weights) to 0.
TEST(Optimizer, RangesCarryL2OnWeightsWithTheCompositionsCentre) {
  for (Composition comp : {Composition::product, Composition::sum}) {
    const MmnModel model(small_model(comp), small_schema(), 1);
    OptimizerConfig o;
    o.dense_l2 = 0.01f;
    o.specific_lr_scale = 2.0f;
    const Optimizer opt(o, model);
    std::size_t covered = 0;
    for (const DenseTensor& t : model.dense().tensors()) {
      const auto r = std::find_if(opt.lr_ranges().begin(), opt.lr_ranges().end(), [&](const Optimizer::Range& x) {
        return x.offset <= t.offset && t.offset + t.size <= x.offset + x.size;
      });
      ASSERT_NE(r, opt.lr_ranges().end()) << t.name;
      EXPECT_EQ(r->l2, t.weight ? 0.01f : 0.0f) << t.name;
      EXPECT_EQ(r->l2_center, t.weight && t.group != kShared && comp == Composition::product ? 1.0f : 0.0f) << t.name;
      EXPECT_EQ(r->lr_scale, t.group != kShared ? 2.0f : 1.0f) << t.name;
      covered += t.size;
    }
    EXPECT_EQ(covered, model.dense().size());
  }
}

// Without L2 the ranges differ only where the learning-rate scale does: shared, then specific.
TEST(Optimizer, WithoutL2TheRangesAreTheLearningRateRuns) {
  const MmnModel model(small_model(), small_schema(), 1);
  OptimizerConfig o;
  o.specific_lr_scale = 2.0f;
  std::size_t changes = 0;
  for (std::size_t k = 1; k < model.dense().tensors().size(); ++k)
    changes += (model.dense().tensors()[k].group != kShared) != (model.dense().tensors()[k - 1].group != kShared);
  EXPECT_EQ(Optimizer(o, model).lr_ranges().size(), changes + 1);
}

TEST(Optimizer, StepConstantsFollowTheScheduleAndTheEmbeddingSettings) {
  const MmnModel model(small_model(), small_schema(), 1);
  OptimizerConfig o;
  o.kind = OptimizerKind::adagrad;
  o.adagrad.lr = 0.4f;
  o.embedding_lr_scale = 0.5f;
  o.embedding_l2 = 0.03f;
  o.warmup_steps = 4;
  Optimizer opt(o, model);
  const OptimizerStepPlan s = opt.plan(1);
  EXPECT_FALSE(s.adam);
  ASSERT_EQ(s.dense.size(), opt.lr_ranges().size());
  for (std::size_t k = 0; k < s.dense.size(); ++k) {
    EXPECT_EQ(s.dense[k].offset, opt.lr_ranges()[k].offset);
    EXPECT_EQ(s.dense[k].size, opt.lr_ranges()[k].size);
  }
  EXPECT_FLOAT_EQ(s.dense.front().adagrad.lr, 0.1f);  // 0.4 x 1/4 of the warm-up
  EXPECT_FALSE(s.tables_adam);
  EXPECT_FLOAT_EQ(s.table_adagrad.lr, 0.05f);
  EXPECT_FLOAT_EQ(s.table_adagrad.l2, 0.03f);
  EXPECT_FLOAT_EQ(opt.plan(4).dense.front().adagrad.lr, 0.4f);
  EXPECT_EQ(opt.steps(), 0u);  // a plan does not step
  EXPECT_FLOAT_EQ(opt.next_step().dense.front().adagrad.lr, 0.1f);
  EXPECT_EQ(opt.steps(), 1u);
}

// Adagrad on the tables beside Adam on the dense parameters: each part keeps its own optimizer's
// state and learning rate, and one step moves a touched row by Adagrad's formula.
TEST(Optimizer, AdagradTablesBesideAdamDenseParameters) {
  MmnModel model(small_model(), small_schema(), 1);
  OptimizerConfig o;
  o.adam.lr = 0.002f;
  o.embedding_optimizer = EmbeddingOptimizer::adagrad;
  o.embedding_lr = 0.2f;
  o.embedding_lr_scale = 0.5f;
  Optimizer opt(o, model);
  ASSERT_EQ(opt.dense_state().size(), 2u);
  ASSERT_EQ(opt.table_state().front().size(), 1u);
  EXPECT_EQ(opt.table_state().front().front().front(), o.adagrad.initial_accumulator);
  const OptimizerStepPlan plan = opt.next_step();
  EXPECT_TRUE(plan.adam);
  EXPECT_FALSE(plan.tables_adam);
  EXPECT_FLOAT_EQ(plan.dense.front().adam.step_size, 0.002f / (1.0f - o.adam.beta1));
  EXPECT_FLOAT_EQ(plan.table_adagrad.lr, 0.1f);

  EmbeddingTable& table = model.embeddings().front();
  const std::uint32_t dim = table.dim;
  model.sparse_grads().assign(model.embeddings().size(), SparseRows{});  // no row touched but this one
  SparseRows& rows = model.sparse_grads().front();
  rows.ids = {3};
  rows.grads.assign(dim, 0.5f);
  const float before = table.values[3 * dim];
  ThreadPool pool(1);
  opt.apply(plan, model, pool);
  const float accumulator = o.adagrad.initial_accumulator + 0.25f;
  EXPECT_FLOAT_EQ(opt.table_state().front().front()[3 * dim], accumulator);
  EXPECT_FLOAT_EQ(table.values[3 * dim], before - 0.1f * 0.5f / (std::sqrt(accumulator) + o.adagrad.eps));

  o.embedding_lr = 0.0f;  // Adagrad's own learning rate
  EXPECT_FLOAT_EQ(Optimizer(o, model).plan(1).table_adagrad.lr, 0.5f * o.adagrad.lr);
  o.embedding_optimizer = EmbeddingOptimizer::same;
  EXPECT_TRUE(Optimizer(o, model).plan(1).tables_adam);
  EXPECT_EQ(parse_embedding_optimizer("adagrad"), EmbeddingOptimizer::adagrad);
  EXPECT_THROW(parse_embedding_optimizer("sgd"), Error);
}

}  // namespace
}  // namespace mmn
