#include "mmn/backend/divergence.h"

#include <cmath>

#include <fmt/format.h>

#include "mmn/model/mmn_model.h"

namespace mmn {
namespace {

bool all_finite(const float* v, std::size_t n) {
  float sum = 0.0f;
  for (std::size_t i = 0; i < n; ++i) sum += v[i] * 0.0f;  // NaN or Inf anywhere makes the sum NaN
  return !std::isnan(sum);
}

// "the largest parameter magnitude is 1e+30, in cvr.0.W.shared": where an overflow in the
// forward pass most likely comes from when every parameter is still finite.
std::string largest_parameter(const MmnModel& model) {
  float largest = 0.0f;
  std::string where;
  auto scan = [&](const float* v, std::size_t n, const std::string& name) {
    for (std::size_t i = 0; i < n; ++i)
      if (std::fabs(v[i]) > largest) largest = std::fabs(v[i]), where = name;
  };
  for (const DenseTensor& t : model.dense().tensors()) scan(model.dense().all_values().data() + t.offset, t.size, t.name);
  for (const EmbeddingTable& table : model.embeddings())
    scan(table.values.data(), table.values.size(), "embedding table " + table.name);
  return fmt::format("the largest parameter magnitude is {:.3g}, in {}", largest, where);
}

}  // namespace

// The first parameter tensor holding a NaN or an infinity, e.g. "parameter cvr.1.W.type"
// or "embedding table site".
std::optional<std::string> non_finite_parameter(const MmnModel& model) {
  const std::vector<float>& values = model.dense().all_values();
  if (!all_finite(values.data(), values.size()))
    for (const DenseTensor& t : model.dense().tensors())
      if (!all_finite(values.data() + t.offset, t.size)) return fmt::format("parameter {}", t.name);
  for (const EmbeddingTable& table : model.embeddings())
    if (!all_finite(table.values.data(), table.values.size()))
      return fmt::format("embedding table {}", table.name);
  return std::nullopt;
}

// What is not finite after a step's backward pass, for the message: the loss (and, when
// that is where it comes from, the parameter holding NaN or infinity), a dense tensor's
// gradient (e.g. "cvr.1.W.type") or an embedding table's gradient; nothing when all is finite.
std::optional<std::string> non_finite_gradient(const LossValue& loss, MmnModel& model) {
  if (!std::isfinite(loss.total)) {
    const auto parameter = non_finite_parameter(model);
    return fmt::format("the loss is not finite ({}); {}", loss.total,
                       parameter ? fmt::format("{} holds NaN or infinity", *parameter) : largest_parameter(model));
  }
  const std::vector<float>& grads = model.dense().all_grads();
  if (!all_finite(grads.data(), grads.size()))
    for (const DenseTensor& t : model.dense().tensors())
      if (!all_finite(grads.data() + t.offset, t.size))
        return fmt::format("the gradient of {} is not finite (loss {})", t.name, loss.total);
  for (std::size_t t = 0; t < model.sparse_grads().size(); ++t) {
    const std::vector<float>& g = model.sparse_grads()[t].grads;
    if (!all_finite(g.data(), g.size()))
      return fmt::format("the gradient of embedding table {} is not finite (loss {})", model.embeddings()[t].name,
                         loss.total);
  }
  return std::nullopt;
}

}  // namespace mmn
