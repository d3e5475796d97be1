#include "mmn/model/mmn_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "mmn/model/optimizer.h"
#include "mmn/util/thread_pool.h"
#include "testing/random_block.h"

namespace mmn {
namespace {

Schema tiny_schema() {
  Schema s;
  s.n_types = 3;
  s.n_scenarios = 4;
  s.categorical = {{"a", 6}, {"b", 9}};
  s.dense = {"x"};
  return s;
}

ModelConfig small_config(ModelKind kind, Composition comp = Composition::product) {
  ModelConfig c;
  c.kind = kind;
  c.composition = comp;
  c.embedding_dim = 3;
  c.ctr_hidden = {5};
  c.cvr_hidden = {6, 4};
  c.embedding_init_std = 0.5f;
  return c;
}

struct Named {
  const char* name;
  ModelConfig config;
};

std::vector<Named> all_models() {
  ModelConfig no_type = small_config(ModelKind::mmn);
  no_type.type_part = false;
  return {{"mmn", small_config(ModelKind::mmn)},
          {"mmn-sum", small_config(ModelKind::mmn, Composition::sum)},
          {"mmn-no-type", no_type},
          {"shared", small_config(ModelKind::shared)},
          {"separate", small_config(ModelKind::separate)},
          {"star", small_config(ModelKind::star)}};
}

// testing::random_block's dense values span hundreds; a model test wants unit scale.
ColumnBlock unit_scale_block(const Schema& schema, std::size_t rows, std::uint32_t seed) {
  ColumnBlock b = testing::random_block(schema, rows, seed);
  for (auto& column : b.dense)
    for (auto& v : column) v /= 400.0f;
  return b;
}

// Product factors start at exactly 1; move them so the test sees a generic point.
void perturb(MmnModel& m, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.0f, 0.2f);
  for (auto& v : m.dense().all_values()) v += n(rng);
}

TEST(MmnModel, GradientsMatchCentralDifferencesForEveryModelKind) {
  ThreadPool pool(2);
  const Schema schema = tiny_schema();
  const ColumnBlock block = unit_scale_block(schema, 40, 3);
  const ColumnView rows = view_of(block);
  for (const auto& [name, config] : all_models())
    for (CvrMode mode : {CvrMode::ctcvr, CvrMode::clicked}) {
      MmnModel model(config, schema, 7);
      perturb(model, 8);
      std::vector<std::uint32_t> domain;
      model.domains_of(rows, domain);
      const LossCounts counts = count_loss_rows(rows.click, domain.data(), rows.rows, 12, mode);
      const LossOptions options{mode, 0.8f, true};
      model.compute_gradients(rows, counts, options, pool);
      const std::vector<float> dense_grad = model.dense().all_grads();
      const std::vector<SparseRows> sparse = model.sparse_grads();
      auto loss_at = [&](float& p, float v) {
        const float saved = p;
        p = v;
        const double l = model.compute_gradients(rows, counts, options, pool).total;
        p = saved;
        return l;
      };
      std::mt19937 rng(9);
      int checked = 0, agreed = 0;
      std::string misses;
      auto probe = [&](float& p, double analytic) {
        const double eps = 5e-4;
        const double fd = (loss_at(p, p + static_cast<float>(eps)) - loss_at(p, p - static_cast<float>(eps))) / (2 * eps);
        ++checked;
        if (std::abs(fd - analytic) <= 2e-2 * std::abs(fd) + 2e-4) ++agreed; else misses += " (analytic " + std::to_string(analytic) + ", fd " + std::to_string(fd) + ")";
      };
      for (int i = 0; i < 40; ++i) {
        const std::size_t k = rng() % model.dense().size();
        probe(model.dense().all_values()[k], dense_grad[k]);
      }
      for (std::size_t t = 0; t < sparse.size(); ++t)
        for (int i = 0; i < 5; ++i) {
          const std::size_t r = rng() % sparse[t].ids.size(), j = rng() % 3;
          probe(model.embeddings()[t].values[sparse[t].ids[r] * 3 + j], sparse[t].grads[r * 3 + j]);
        }
      // ReLU kinks may spoil a probe or two; a wrong gradient spoils most.
      EXPECT_GE(agreed, checked - 3) << name << (mode == CvrMode::ctcvr ? " ctcvr" : " clicked") << misses;
    }
}

TEST(MmnModel, MaskedRoutingGivesTheSameLossAndGradientsAsGrouped) {
  ThreadPool pool(2);
  Schema schema = tiny_schema();
  schema.n_types = 17;
  schema.n_scenarios = 21;
  const ColumnBlock block = unit_scale_block(schema, 500, 4);
  const ColumnView rows = view_of(block);
  for (Composition comp : {Composition::product, Composition::sum}) {
    ModelConfig grouped = small_config(ModelKind::mmn, comp), masked = grouped;
    masked.routing = RoutingMode::masked;
    MmnModel a(grouped, schema, 5), b(masked, schema, 5);
    perturb(a, 6);
    perturb(b, 6);
    std::vector<std::uint32_t> domain;
    a.domains_of(rows, domain);
    const LossCounts counts = count_loss_rows(rows.click, domain.data(), rows.rows, 357, CvrMode::ctcvr);
    const double la = a.compute_gradients(rows, counts, {}, pool).total;
    const double lb = b.compute_gradients(rows, counts, {}, pool).total;
    EXPECT_NEAR(la, lb, 1e-6 * std::abs(la));
    const auto& ga = a.dense().all_grads();
    const auto& gb = b.dense().all_grads();
    for (std::size_t i = 0; i < ga.size(); ++i) ASSERT_NEAR(ga[i], gb[i], 1e-5 + 1e-4 * std::abs(gb[i])) << i;
    for (std::size_t t = 0; t < a.sparse_grads().size(); ++t) {
      ASSERT_EQ(a.sparse_grads()[t].ids, b.sparse_grads()[t].ids);
      for (std::size_t i = 0; i < a.sparse_grads()[t].grads.size(); ++i)
        ASSERT_NEAR(a.sparse_grads()[t].grads[i], b.sparse_grads()[t].grads[i], 1e-5);
    }
  }
}

TEST(MmnModel, ProductFactorsStartNeutralSoEveryDomainStartsAsTheSharedTower) {
  const Schema schema = tiny_schema();
  ThreadPool pool(1);
  ModelConfig config = small_config(ModelKind::mmn);
  config.domain_features = false;  // otherwise the input itself differs by domain
  MmnModel model(config, schema, 3);
  ColumnBlock block = unit_scale_block(schema, 12, 5);
  for (std::size_t i = 0; i < 12; ++i) {
    block.type[i] = static_cast<std::uint16_t>(i % 3);
    block.scenario[i] = static_cast<std::uint16_t>(i % 4);
    block.categorical[0][i] = 1, block.categorical[1][i] = 2, block.dense[0][i] = 0.5f;
  }
  std::vector<float> ctr(12), cvr(12);
  model.forward(view_of(block), ctr.data(), cvr.data(), pool);
  for (std::size_t i = 1; i < 12; ++i) EXPECT_EQ(cvr[i], cvr[0]);
}

// The loss row counts of `rows` for the tiny schema's 12 domains.
LossCounts loss_counts_of(const MmnModel& model, const ColumnView& rows) {
  std::vector<std::uint32_t> domain;
  model.domains_of(rows, domain);
  return count_loss_rows(rows.click, domain.data(), rows.rows, 12, CvrMode::ctcvr);
}

TEST(MmnModel, AdamStepsReduceTheLossOnAFixedBatch) {
  ThreadPool pool(2);
  const Schema schema = tiny_schema();
  const ColumnBlock block = unit_scale_block(schema, 200, 6);
  const ColumnView rows = view_of(block);
  for (OptimizerKind kind : {OptimizerKind::adam, OptimizerKind::adagrad}) {
    MmnModel model(small_config(ModelKind::mmn), schema, 1);
    OptimizerConfig oc;
    oc.kind = kind;
    oc.adam.lr = 0.01f;
    oc.adagrad.lr = 0.05f;
    oc.adagrad.initial_accumulator = 1e-3f;  // the CVR loss is a mean over domains: small gradients
    Optimizer opt(oc, model);
    const LossCounts counts = loss_counts_of(model, rows);
    const double first = model.compute_gradients(rows, counts, {}, pool).total;
    double last = first;
    for (int s = 0; s < 100; ++s) {
      opt.step(model, pool);
      last = model.compute_gradients(rows, counts, {}, pool).total;
    }
    EXPECT_LT(last, 0.7 * first) << to_string(kind);
    EXPECT_EQ(opt.steps(), 100u);
  }
}

// The optimizer leaves the dense gradients zero and the next backward pass skips its zeroing:
// the gradients after a step are those a fresh model with the stepped parameters computes.
// And without a step in between, each backward pass still starts from zero.
TEST(Optimizer, TheBackwardAfterAStepStartsFromZeroGradients) {
  ThreadPool pool(2);
  const Schema schema = tiny_schema();
  const ColumnBlock block = unit_scale_block(schema, 100, 9);
  const ColumnView rows = view_of(block);
  for (OptimizerKind kind : {OptimizerKind::adam, OptimizerKind::adagrad}) {
    MmnModel model(small_config(ModelKind::mmn), schema, 3);
    OptimizerConfig oc;
    oc.kind = kind;
    Optimizer opt(oc, model);
    const LossCounts counts = loss_counts_of(model, rows);
    model.compute_gradients(rows, counts, {}, pool);
    opt.step(model, pool);
    for (const float g : model.dense().all_grads()) ASSERT_EQ(g, 0.0f) << to_string(kind);
    model.compute_gradients(rows, counts, {}, pool);
    const std::vector<float> after_step = model.dense().all_grads();
    model.compute_gradients(rows, counts, {}, pool);
    EXPECT_EQ(model.dense().all_grads(), after_step) << to_string(kind) << ": a second backward accumulated";

    MmnModel fresh(small_config(ModelKind::mmn), schema, 3);
    fresh.dense().all_values() = model.dense().all_values();
    fresh.embeddings() = model.embeddings();
    fresh.compute_gradients(rows, counts, {}, pool);
    EXPECT_EQ(fresh.dense().all_grads(), after_step) << to_string(kind);
  }
}

TEST(Optimizer, SpecificLearningRateScaleMovesOnlyTypeScenarioAndDomainSets) {
  ThreadPool pool(1);
  const Schema schema = tiny_schema();
  const ColumnBlock block = unit_scale_block(schema, 64, 8);
  const ColumnView rows = view_of(block);
  std::vector<std::uint32_t> domain;
  std::vector<std::vector<float>> moved;  // |change| per dense parameter, for scales 1 and 10
  for (float scale : {1.0f, 10.0f}) {
    MmnModel model(small_config(ModelKind::mmn), schema, 2);
    OptimizerConfig oc;
    oc.adam.lr = 1e-3f;
    oc.specific_lr_scale = scale;
    Optimizer opt(oc, model);
    model.domains_of(rows, domain);
    model.compute_gradients(rows, count_loss_rows(rows.click, domain.data(), rows.rows, 12, CvrMode::ctcvr), {}, pool);
    const std::vector<float> before = model.dense().all_values();
    opt.step(model, pool);
    std::vector<float> delta(before.size());
    for (std::size_t i = 0; i < before.size(); ++i) delta[i] = std::abs(model.dense().all_values()[i] - before[i]);
    moved.push_back(delta);
  }
  int specific = 0, shared = 0;
  const MmnModel layout(small_config(ModelKind::mmn), schema, 2);
  for (const auto& t : layout.dense().tensors()) {
    const bool is_specific = t.name.find(".type") != std::string::npos || t.name.find(".scenario") != std::string::npos;
    for (std::size_t i = t.offset; i < t.offset + t.size; ++i) {
      if (moved[0][i] < 1e-6f) continue;  // no gradient reached it
      ASSERT_NEAR(moved[1][i] / moved[0][i], is_specific ? 10.0f : 1.0f, 1e-2f) << t.name;
      (is_specific ? specific : shared) += 1;
    }
  }
  EXPECT_GT(specific, 0);
  EXPECT_GT(shared, 0);
}

}  // namespace
}  // namespace mmn
