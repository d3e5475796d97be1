#include "mmn/model/training_step.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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

}  // namespace
}  // namespace mmn
