#pragma once
// mmn::sim::run_in_all_orders for code that compiles in both builds. Under the emulator it is
// the emulator's (mmn/sim/run_in_all_orders.h): the computation runs once per thread order and
// the results are compared. On a GPU the hardware picks the order, so it runs once and the
// single result trivially agrees; tests keep the same source for both.
#if !defined(__CUDACC__)
#include "mmn/sim/run_in_all_orders.h"
#else
#include <string>
#include <type_traits>
#include <vector>

namespace mmn::sim {

template <typename Result>
struct OrderRuns {
  std::vector<Result> results;
  bool agree() const { return true; }
  std::string disagreement() const { return {}; }
};

template <typename Fn>
auto run_in_all_orders(Fn&& fn) -> OrderRuns<std::decay_t<std::invoke_result_t<Fn&>>> {
  OrderRuns<std::decay_t<std::invoke_result_t<Fn&>>> runs;
  runs.results.push_back(fn());
  return runs;
}

}  // namespace mmn::sim
#endif
