#pragma once
// The parts of a training step and their order, written once for every backend. A backend
// supplies a Step whose members run each part on its own memory (the CPU model's buffers, the
// device model's):
//   embed()               h0 of the batch (embedding gather and dense features)
//   route()               the rows' order per tower: identity for CTR, by domain for a routed CVR tower
//   ctr_forward()         CTR logits
//   cvr_forward()         CVR logits, in row order
//   loss(scales)          the weighted BCE and its gradients w.r.t. both logits
//   zero_gradients()      the dense gradients the backward passes accumulate into
//   ctr_backward()        the CTR tower's gradients; dh0 = its input gradient
//   cvr_backward()        the CVR tower's gradients; dh0 += its input gradient
//   embedding_backward()  the embedding rows' gradients from dh0
//   finish() -> LossValue the loss of the step, once its work is done
// A backend that computes asynchronously may queue the step (queue_training_step) and read its
// loss later instead of finishing it.
#include "mmn/ops/weighted_bce.h"

namespace mmn {

template <class Step>
void run_forward(Step& step) {
  step.embed();
  step.route();
  step.ctr_forward();
  step.cvr_forward();
}

template <class Step>
void queue_training_step(Step& step, const LossScales& scales) {
  run_forward(step);
  step.loss(scales);
  step.zero_gradients();
  step.ctr_backward();
  step.cvr_backward();
  step.embedding_backward();
}

template <class Step>
LossValue run_training_step(Step& step, const LossScales& scales) {
  queue_training_step(step, scales);
  return step.finish();
}

}  // namespace mmn
