// End to end on the tiny preset: MMN against the `shared` baseline, both with
// configs/tiny.toml, one epoch over 4.5M training rows, scored on the 0.5M-row test split.
//
// Margins over data seeds 1-5 with the defaults (clicked CVR loss, no dynamic weight), measured
// by perf/accuracy/tiny_margins.sh before they were fixed (mean per-domain CVR AUC):
//   MMN - shared:   +0.0027 +0.0107 +0.0087 +0.0039 +0.0026 (above on every seed)
//   oracle - MMN:    0.020   0.034   0.027   0.013   0.064
// Seeds 1, 4 and 5 win by less than a change of BLAS kernels (another CPU) may move the figures,
// so the test runs seeds 2 and 3.
// A smaller test split leaves 4-7 scorable domains with ~25 conversions each, where seed
// noise (0.01-0.03) swamps the difference; hence the size.
#include <gtest/gtest.h>

#include "mmn/synth/synthesize.h"
#include "mmn/train/train_config.h"
#include "mmn/train/trainer.h"
#include "mmn/util/thread_pool.h"
#include "testing/temp_dir.h"

namespace mmn {
namespace {

EvalReport train_tiny(const std::string& data, const std::string& run_dir, const char* kind) {
  TrainConfig c = load_train_config(std::string(MMN_SOURCE_DIR) + "/configs/tiny.toml", {});
  c.data.train = data + "/train";
  c.data.test = data + "/test";
  c.data.heldout.clear();
  c.model.kind = parse_model_kind(kind);
  c.train.epochs = 1;
  c.run.dir = run_dir;
  c.run.plots = false;
  const TrainOutcome o = train(c, {false, false, true});
  EXPECT_TRUE(o.test.has_value() && o.test->oracle.has_value());
  return *o.test;
}

class MmnBeatsShared : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(MmnBeatsShared, OnTinyPresetMeanPerDomainCvrAuc) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "5M-row end-to-end run: too slow under AddressSanitizer; it runs in the release build";
#endif
  testing::TempDir tmp;
  ThreadPool pool(ThreadPool::default_threads());
  synth::SynthOptions o;
  o.out_dir = tmp / "data";
  o.rows = 5000000;
  o.seed = GetParam();
  synth::synthesize(synth::tiny_preset(), o, pool);

  const EvalReport mmn = train_tiny(o.out_dir, tmp / "mmn", "mmn");
  const EvalReport shared = train_tiny(o.out_dir, tmp / "shared", "shared");
  ASSERT_GE(mmn.domain_cvr.scored, 7u);
  EXPECT_EQ(mmn.domain_cvr.scored, shared.domain_cvr.scored);
  EXPECT_GT(mmn.domain_cvr.mean, shared.domain_cvr.mean) << "mmn " << mmn.domain_cvr.mean << ", shared "
                                                         << shared.domain_cvr.mean;
  EXPECT_LT(mmn.oracle->domain_cvr.mean - mmn.domain_cvr.mean, 0.08)
      << "mmn " << mmn.domain_cvr.mean << ", oracle " << mmn.oracle->domain_cvr.mean;
}

INSTANTIATE_TEST_SUITE_P(Seeds, MmnBeatsShared, ::testing::Values(2u, 3u));

}  // namespace
}  // namespace mmn
