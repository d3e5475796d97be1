#pragma once
// The divergence guard's verdicts on the host model, naming the tensor at fault.
#include <optional>
#include <string>

#include "mmn/ops/weighted_bce.h"

namespace mmn {

class MmnModel;

// The first parameter tensor holding a NaN or an infinity, e.g. "parameter cvr.1.W.type"
// or "embedding table site".
std::optional<std::string> non_finite_parameter(const MmnModel& model);

// What is not finite after a step's backward pass: the loss (with the parameter it most
// likely comes from), a dense tensor's gradient or an embedding table's gradient; nothing
// when all is finite.
std::optional<std::string> non_finite_gradient(const LossValue& loss, MmnModel& model);

}  // namespace mmn
