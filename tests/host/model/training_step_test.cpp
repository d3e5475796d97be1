#include "mmn/model/training_step.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mmn/model/mmn_model.h"
#include "mmn/util/thread_pool.h"
#include "testing/random_block.h"

namespace mmn {
namespace {

// Records the parts a step runs, in order.
struct RecordingStep {
  std::vector<std::string> parts;
  double ctr_scale_seen = 0;
  void embed() { parts.push_back("embed"); }
  void route() { parts.push_back("route"); }
  void ctr_forward() { parts.push_back("ctr_forward"); }
  void cvr_forward() { parts.push_back("cvr_forward"); }
  void loss(const LossScales& s) {
    parts.push_back("loss");
    ctr_scale_seen = s.ctr;
  }
  void zero_gradients() { parts.push_back("zero_gradients"); }
  void ctr_backward() { parts.push_back("ctr_backward"); }
  void cvr_backward() { parts.push_back("cvr_backward"); }
  void embedding_backward() { parts.push_back("embedding_backward"); }
  LossValue finish() {
    parts.push_back("finish");
    return {3.0, 1.0, 2.0};
  }
};

TEST(RunTrainingStep, RunsThePartsInOrderAndReturnsTheFinishedLoss) {
  RecordingStep step;
  LossScales scales;
  scales.ctr = 0.25;
  const LossValue loss = run_training_step(step, scales);
  EXPECT_EQ(step.parts, (std::vector<std::string>{"embed", "route", "ctr_forward", "cvr_forward", "loss",
                                                  "zero_gradients", "ctr_backward", "cvr_backward",
                                                  "embedding_backward", "finish"}));
  EXPECT_EQ(step.ctr_scale_seen, 0.25);
  EXPECT_EQ(loss.total, 3.0);
  EXPECT_EQ(loss.cvr, 2.0);
}

TEST(RunForward, RunsTheForwardPartsOnly) {
  RecordingStep step;
  run_forward(step);
  EXPECT_EQ(step.parts, (std::vector<std::string>{"embed", "route", "ctr_forward", "cvr_forward"}));
}

// A training step hands the CPU step its rows' domain ids; the step then uses them instead of
// working them out, with the same result to the bit.
TEST(CpuStep, TakesTheRowsDomainIdsWhenTheyComeWithThem) {
  ModelConfig c;
  c.embedding_dim = 3;
  c.ctr_hidden = {5};
  c.cvr_hidden = {6};
  ThreadPool pool(2);
  const ColumnBlock block = testing::random_block(testing::small_schema(false), 70, 3);
  ColumnView rows = view_of(block);
  MmnModel worked_out(c, testing::small_schema(false), 5), handed(c, testing::small_schema(false), 5);
  std::vector<std::uint32_t> domain;
  worked_out.domains_of(rows, domain);
  const LossScales scales = loss_scales(count_loss_rows(rows.click, domain.data(), rows.rows, 12, CvrMode::clicked), {});
  const LossValue a = worked_out.compute_gradients(rows, scales, pool);
  rows.domain = domain.data();
  const LossValue b = handed.compute_gradients(rows, scales, pool);
  EXPECT_EQ(a.total, b.total);
  EXPECT_EQ(worked_out.dense().all_grads(), handed.dense().all_grads());
  for (std::size_t t = 0; t < worked_out.sparse_grads().size(); ++t)
    EXPECT_EQ(worked_out.sparse_grads()[t].grads, handed.sparse_grads()[t].grads);
}

}  // namespace
}  // namespace mmn
