#pragma once
// The mean training losses and the rate over the steps since the last "train" record
// of metrics.jsonl.
#include <algorithm>
#include <chrono>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "mmn/ops/weighted_bce.h"

namespace mmn {

inline double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

struct LogInterval {
  using Clock = std::chrono::steady_clock;
  double loss = 0, ctr = 0, cvr = 0;
  std::uint64_t steps = 0, rows = 0;
  Clock::time_point start = Clock::now();

  void add(const LossValue& l, std::uint64_t batch_rows) {
    loss += l.total, ctr += l.ctr, cvr += l.cvr;
    steps += 1, rows += batch_rows;
  }
  nlohmann::json record(std::uint64_t step, std::uint32_t epoch) {
    const double seconds = seconds_since(start);
    const double n = static_cast<double>(std::max<std::uint64_t>(steps, 1));
    nlohmann::json r = {{"kind", "train"},      {"step", step},       {"epoch", epoch},
                        {"loss", loss / n},     {"ctr_loss", ctr / n}, {"cvr_loss", cvr / n},
                        {"samples_per_second", seconds > 0 ? static_cast<double>(rows) / seconds : 0.0}};
    *this = LogInterval{};
    return r;
  }
};

}  // namespace mmn
