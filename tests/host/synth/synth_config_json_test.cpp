#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mmn/synth/synth_config.h"
#include "mmn/util/error.h"
#include "testing/error_of.h"

namespace mmn::synth {
namespace {

using mmn::testing::error_of;

TEST(SynthConfigJson, EveryPresetComesBackFromItsJsonUnchanged) {
  for (const std::string& name : preset_names()) {
    const SynthConfig original = preset(name);
    SynthConfig blank;
    blank.categorical = {{"x", 2, 1.0, false}};
    const SynthConfig back = SynthConfig::from_json(original.to_json(), blank);
    EXPECT_EQ(back.to_json(), original.to_json()) << name;
  }
}

TEST(SynthConfigJson, OverridesChangeOnlyTheirKeys) {
  const SynthConfig base = criteo_like_preset();
  const SynthConfig changed = with_overrides(
      base, {"learnable_vocab=0", "n_dense=3", "mean_ctr=0.1", "name=hard",
             R"(categorical=[{"name":"a","vocab":10},{"name":"b","vocab":5000,"zipf_exponent":1.2,"scenario_shift":true}])"});
  EXPECT_EQ(changed.learnable_vocab, 0.0);
  EXPECT_EQ(changed.n_dense, 3u);
  EXPECT_EQ(changed.mean_ctr, 0.1);
  EXPECT_EQ(changed.name, "hard");
  ASSERT_EQ(changed.categorical.size(), 2u);
  EXPECT_EQ(changed.categorical[0].vocab, 10u);
  EXPECT_EQ(changed.categorical[0].zipf_exponent, 1.1);  // SynthField's default
  EXPECT_EQ(changed.categorical[1].zipf_exponent, 1.2);
  EXPECT_TRUE(changed.categorical[1].scenario_shift);
  nlohmann::json expected = base.to_json();
  nlohmann::json got = changed.to_json();
  for (const char* key : {"learnable_vocab", "n_dense", "mean_ctr", "name", "categorical"}) {
    expected.erase(key);
    got.erase(key);
  }
  EXPECT_EQ(got, expected);
}

TEST(SynthConfigJson, BadOverridesNameTheKeyAndTheProblem) {
  const SynthConfig base = tiny_preset();
  auto message = [&](const std::string& o) { return error_of([&] { with_overrides(base, {o}); }); };
  EXPECT_NE(message("mean_ctr").find("expected key=value"), std::string::npos);
  EXPECT_NE(message("=1").find("expected key=value"), std::string::npos);
  EXPECT_NE(message("meanctr=0.1").find("unknown key 'meanctr'"), std::string::npos);
  EXPECT_NE(message("mean_ctr=high").find("'mean_ctr' must be a number"), std::string::npos);
  EXPECT_NE(message("n_dense=-2").find("'n_dense' must be a whole number"), std::string::npos);
  EXPECT_NE(message("n_dense=2.5").find("'n_dense' must be a whole number"), std::string::npos);
  EXPECT_NE(message("n_types=99999999999").find("'n_types' is 99999999999; at most"), std::string::npos);
  EXPECT_NE(message("mean_ctr=2").find("mean_ctr is 2; need"), std::string::npos);
  EXPECT_NE(error_of([&] { with_overrides(base, {"categorical=[]", "n_dense=0"}); }).find("no categorical and no dense"),
            std::string::npos);
  EXPECT_NE(message(R"(categorical=[{"name":"a"}])").find("categorical field 0 needs 'name' and 'vocab'"),
            std::string::npos);
  EXPECT_NE(message(R"(categorical=[{"name":"a","vocab":3,"colour":1}])").find("unknown key 'colour'"),
            std::string::npos);
  EXPECT_NE(message(R"(categorical=[{"name":"a","vocab":0}])").find("has vocabulary 0"), std::string::npos);
  EXPECT_NE(message("categorical=7").find("must be a list of fields"), std::string::npos);
}

}  // namespace
}  // namespace mmn::synth
