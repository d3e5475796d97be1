#pragma once
// The parts of a training step (mmn/model/training_step.h) on the CPU: the model's own ops over
// a thread pool, on the host model's parameters and a batch's rows.
#include <cstdint>
#include <vector>

#include "mmn/data/column_view.h"
#include "mmn/ops/routing.h"
#include "mmn/ops/weighted_bce.h"

namespace mmn {

class MmnModel;
class ThreadPool;

// A step's work buffers, kept from batch to batch.
struct CpuStepBuffers {
  std::vector<std::uint32_t> domain, type_ids, scenario_ids;
  std::vector<const std::uint32_t*> ids;  // one column per embedded field
  Routing identity, routing;
  std::vector<float> h0, h0_routed, dh0, dh0_routed;
  std::vector<float> ctr_logit, cvr_logit, d_ctr, d_cvr, d_cvr_routed;
};

class CpuStep {
 public:
  CpuStep(MmnModel& model, CpuStepBuffers& buffers, const ColumnView& rows, ThreadPool& pool);

  void embed();
  void route();
  void ctr_forward();
  void cvr_forward();
  void loss(const LossScales& scales);
  void zero_gradients();
  void ctr_backward();
  void cvr_backward();
  void embedding_backward();
  LossValue finish() const { return loss_; }

  const std::vector<float>& ctr_logit() const { return b_.ctr_logit; }
  const std::vector<float>& cvr_logit() const { return b_.cvr_logit; }

 private:
  MmnModel& m_;
  CpuStepBuffers& b_;
  const ColumnView& rows_;
  ThreadPool& pool_;
  const std::size_t n_;
  const std::uint32_t width_;
  const std::uint32_t* domain_ = nullptr;  // the rows' own, or b_.domain
  LossValue loss_;
};

}  // namespace mmn
