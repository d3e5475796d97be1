#pragma once
// Every dense parameter of a model in one flat array, with a gradient array of the
// same layout: the optimizer updates it in one fused pass, data parallelism reduces
// it in one piece, checkpoints write it as one block. Tensors are named ranges.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mmn {

class ThreadPool;

struct DenseTensor {
  std::string name;
  std::vector<std::size_t> shape;
  std::size_t offset = 0;
  std::size_t size = 0;
  bool weight = true;  // false: a bias
  int group = 0;       // ParamGroup: shared, type, scenario or domain
};

class ParameterStore {
 public:
  // Registers a tensor; returns its index. Only before finalize().
  std::size_t add(std::string name, std::vector<std::size_t> shape, bool weight = true, int group = 0);
  void finalize();  // allocates values and gradients (zero)

  float* values(std::size_t tensor) { return values_.data() + tensors_[tensor].offset; }
  const float* values(std::size_t tensor) const { return values_.data() + tensors_[tensor].offset; }
  float* grads(std::size_t tensor) { return grads_.data() + tensors_[tensor].offset; }

  std::vector<float>& all_values() { return values_; }
  const std::vector<float>& all_values() const { return values_; }
  std::vector<float>& all_grads() { return grads_; }
  const std::vector<DenseTensor>& tensors() const { return tensors_; }
  std::size_t size() const { return values_.size(); }
  // Floats registered so far: the offset the next tensor gets.
  std::size_t size_registered() const { return tensors_.empty() ? 0 : tensors_.back().offset + tensors_.back().size; }
  // Zeroes the gradients for a backward pass to accumulate into, in slices over the pool (the
  // array is megabytes for MMN); no pass when the optimizer left them zero (grads_left_zero)
  // and zero_grads has not run since.
  void zero_grads(ThreadPool& pool);
  // Told by an optimizer that read every gradient and left it zero.
  void grads_left_zero() { grads_zero_ = true; }

 private:
  std::vector<DenseTensor> tensors_;
  std::vector<float> values_;
  std::vector<float> grads_;
  bool finalized_ = false;
  bool grads_zero_ = false;
};

}  // namespace mmn
