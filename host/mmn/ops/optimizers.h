#pragma once
// Adam and Adagrad: fused over a flat array of dense parameters, and sparse over
// the touched rows of an embedding table (rows not in the batch keep their
// parameters and optimizer state unchanged: "lazy" updates).
#include <cstddef>
#include <cstdint>

#include "mmn/ops/embedding.h"
#include "mmn/ops/optimizer_step.h"

namespace mmn {

class ThreadPool;

struct AdamConfig {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float l2 = 0.0f;      // gradient term l2 * (p - l2_center)
  float l2_center = 0.0f;
};

struct AdagradConfig {
  float lr = 0.05f;
  float initial_accumulator = 0.1f;  // the state's starting value
  float eps = 1e-10f;
  float l2 = 0.0f;  // as Adam's
  float l2_center = 0.0f;
};

AdamStep adam_step(const AdamConfig& c, std::uint64_t step);
AdagradStep adagrad_step(const AdagradConfig& c);

// step is 1-based (the bias correction uses it).
void adam_update(float* params, const float* grads, float* m, float* v, std::size_t n, const AdamConfig& c,
                 std::uint64_t step, ThreadPool* pool = nullptr);
// The same update, leaving each gradient zero once read: the next backward pass can accumulate
// into them without a separate pass over the array (megabytes for MMN).
void adam_update_zeroing_grads(float* params, float* grads, float* m, float* v, std::size_t n, const AdamConfig& c,
                               std::uint64_t step, ThreadPool* pool = nullptr);
void adam_update_rows(float* table, float* m, float* v, std::uint32_t dim, const SparseRows& rows, const AdamConfig& c,
                      std::uint64_t step);

void adagrad_update(float* params, const float* grads, float* accumulator, std::size_t n, const AdagradConfig& c,
                    ThreadPool* pool = nullptr);
void adagrad_update_zeroing_grads(float* params, float* grads, float* accumulator, std::size_t n,
                                  const AdagradConfig& c, ThreadPool* pool = nullptr);
void adagrad_update_rows(float* table, float* accumulator, std::uint32_t dim, const SparseRows& rows,
                         const AdagradConfig& c);

// The same with one step's constants made already (a schedule's learning rate, a range's L2).
void adam_step_zeroing_grads(float* params, float* grads, float* m, float* v, std::size_t n, const AdamStep& s,
                               ThreadPool* pool = nullptr);
void adam_step_rows(float* table, float* m, float* v, std::uint32_t dim, const SparseRows& rows, const AdamStep& s);
void adagrad_step_zeroing_grads(float* params, float* grads, float* accumulator, std::size_t n,
                                const AdagradStep& s, ThreadPool* pool = nullptr);
void adagrad_step_rows(float* table, float* accumulator, std::uint32_t dim, const SparseRows& rows,
                       const AdagradStep& s);

}  // namespace mmn
