#include "mmn/synth/domains.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "mmn/synth/synth_config.h"
#include "mmn/util/error.h"
#include "testing/error_of.h"

namespace mmn::synth {
namespace {

using mmn::testing::error_of;

TEST(SynthConfig, PresetsHaveTheDocumentedShapes) {
  const SynthConfig tiny = preset("tiny");
  tiny.validate();
  EXPECT_EQ(tiny.n_types, 3u);
  EXPECT_EQ(tiny.n_scenarios, 4u);
  ASSERT_EQ(tiny.categorical.size(), 4u);
  EXPECT_EQ(tiny.n_dense, 2u);
  const SynthConfig criteo = preset("criteo-like");
  criteo.validate();
  EXPECT_EQ(criteo.n_types, 17u);
  EXPECT_EQ(criteo.n_scenarios, 21u);
  ASSERT_EQ(criteo.categorical.size(), 17u);
  EXPECT_EQ(criteo.categorical.front().vocab, 10u);
  EXPECT_EQ(criteo.categorical.back().vocab, 1000000u);
  EXPECT_EQ(criteo.n_dense, 4u);
  const Schema schema = criteo.schema();
  EXPECT_TRUE(schema.has_truth);
  EXPECT_EQ(schema.dense.size(), 4u);
  const Dictionaries names = criteo.dictionaries();
  EXPECT_EQ(names.types.front(), "type00");
  EXPECT_EQ(names.types.back(), "type16");
  EXPECT_EQ(names.scenarios.back(), "scen20");
}

TEST(SynthConfig, UnknownPresetsAndBadSettingsAreNamed) {
  const std::string unknown = error_of([] { preset("huge"); });
  EXPECT_NE(unknown.find("unknown preset 'huge'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("tiny, criteo-like"), std::string::npos) << unknown;
  SynthConfig c = tiny_preset();
  c.n_types = 0;
  EXPECT_NE(error_of([&] { c.validate(); }).find("0 types"), std::string::npos);
  c = tiny_preset();
  c.categorical[1].vocab = 0;
  EXPECT_NE(error_of([&] { c.validate(); }).find("'item' has vocabulary 0"), std::string::npos);
  c = tiny_preset();
  c.categorical[1].name = "user";
  EXPECT_NE(error_of([&] { c.validate(); }).find("appears twice"), std::string::npos);
  c = tiny_preset();
  c.max_type_cvr = 0.0001;
  EXPECT_NE(error_of([&] { c.validate(); }).find("max_type_cvr"), std::string::npos);
}

TEST(DomainPlan, DropsCombinationsButKeepsEveryTypeAndScenario) {
  const SynthConfig c = criteo_like_preset();
  const DomainPlan p = plan_domains(c, 11);
  EXPECT_EQ(p.n_domains() - p.present_count(), static_cast<std::uint32_t>(std::lround(c.absent_fraction * 357)));
  for (std::uint32_t t = 0; t < p.n_types; ++t) {
    int present = 0;
    for (std::uint32_t s = 0; s < p.n_scenarios; ++s) present += p.present[p.index(t, s)];
    EXPECT_GT(present, 0) << t;
  }
  for (std::uint32_t s = 0; s < p.n_scenarios; ++s) {
    int present = 0;
    for (std::uint32_t t = 0; t < p.n_types; ++t) present += p.present[p.index(t, s)];
    EXPECT_GT(present, 0) << s;
  }
  double total = 0;
  for (std::uint32_t d = 0; d < p.n_domains(); ++d) {
    total += p.traffic[d];
    EXPECT_EQ(p.traffic[d] > 0, p.present[d] != 0);
  }
  EXPECT_NEAR(total, 1.0, 1e-12);
  // Same seed, same plan; another seed, another one.
  EXPECT_EQ(plan_domains(c, 11).present, p.present);
  EXPECT_NE(plan_domains(c, 12).present, p.present);
}

TEST(DomainPlan, TrafficIsHeavilyImbalanced) {
  const DomainPlan p = plan_domains(criteo_like_preset(), 3);
  std::vector<double> shares;
  for (const double t : p.traffic)
    if (t > 0) shares.push_back(t);
  std::sort(shares.begin(), shares.end());
  const double median = shares[shares.size() / 2];
  EXPECT_GT(shares.back() / median, 50.0);
  EXPECT_GT(shares.back(), 0.1);
}

TEST(DomainPlan, TypeConversionRatesAreLogSpacedOverTheConfiguredRange) {
  const SynthConfig c = criteo_like_preset();
  const DomainPlan p = plan_domains(c, 1);
  ASSERT_EQ(p.type_cvr.size(), 17u);
  EXPECT_DOUBLE_EQ(p.type_cvr.front(), 0.0005);
  EXPECT_DOUBLE_EQ(p.type_cvr.back(), 0.28);
  const double step = std::log(p.type_cvr[1] / p.type_cvr[0]);
  for (std::size_t t = 1; t < 17; ++t) EXPECT_NEAR(std::log(p.type_cvr[t] / p.type_cvr[t - 1]), step, 1e-9);
}

TEST(Holdout, IsDeterministicMidTrafficAndLeavesEveryTypeAndScenarioTrained) {
  const DomainPlan p = plan_domains(criteo_like_preset(), 5);
  const auto chosen = choose_holdout(p, 6, 5);
  ASSERT_EQ(chosen.size(), 6u);
  EXPECT_EQ(choose_holdout(p, 6, 5), chosen);
  EXPECT_NE(choose_holdout(p, 6, 6), chosen);
  const std::uint32_t present = p.present_count();
  std::set<std::uint32_t> held(chosen.begin(), chosen.end());
  for (const std::uint32_t d : chosen) {
    ASSERT_NE(p.rank[d], kAbsent);
    EXPECT_GE(p.rank[d], present / 10);
    EXPECT_LT(p.rank[d], present / 2);
    const std::uint32_t t = d / p.n_scenarios, s = d % p.n_scenarios;
    int type_left = 0, scenario_left = 0;
    for (std::uint32_t x = 0; x < p.n_scenarios; ++x)
      type_left += p.present[p.index(t, x)] != 0 && held.count(p.index(t, x)) == 0;
    for (std::uint32_t x = 0; x < p.n_types; ++x)
      scenario_left += p.present[p.index(x, s)] != 0 && held.count(p.index(x, s)) == 0;
    EXPECT_GT(type_left, 0);
    EXPECT_GT(scenario_left, 0);
  }
  EXPECT_TRUE(choose_holdout(p, 0, 5).empty());
}

TEST(Holdout, TooManyIsAClearError) {
  const DomainPlan p = plan_domains(tiny_preset(), 1);
  const std::string e = error_of([&] { choose_holdout(p, 9, 1); });
  EXPECT_NE(e.find("--holdout 9: only"), std::string::npos) << e;
  EXPECT_NE(e.find("present domains"), std::string::npos) << e;
}

}  // namespace
}  // namespace mmn::synth
