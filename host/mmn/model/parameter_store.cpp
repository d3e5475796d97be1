#include "mmn/model/parameter_store.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "mmn/util/thread_pool.h"

namespace mmn {

std::size_t ParameterStore::add(std::string name, std::vector<std::size_t> shape, bool weight, int group) {
  if (finalized_) throw std::logic_error("ParameterStore::add after finalize");
  DenseTensor t;
  t.weight = weight;
  t.group = group;
  t.name = std::move(name);
  t.shape = std::move(shape);
  t.size = 1;
  for (const auto s : t.shape) t.size *= s;
  t.offset = size_registered();
  tensors_.push_back(std::move(t));
  return tensors_.size() - 1;
}

void ParameterStore::finalize() {
  const std::size_t total = tensors_.empty() ? 0 : tensors_.back().offset + tensors_.back().size;
  values_.assign(total, 0.0f);
  grads_.assign(total, 0.0f);
  finalized_ = true;
}

void ParameterStore::zero_grads(ThreadPool& pool) {
  if (std::exchange(grads_zero_, false)) return;  // the caller is about to write them
  float* grads = grads_.data();
  run_in_chunks(&pool, grads_.size(), std::size_t{1} << 18,
                [&](std::size_t begin, std::size_t end) { std::fill(grads + begin, grads + end, 0.0f); });
}

}  // namespace mmn
