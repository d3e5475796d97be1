#pragma once
// Runs the same computation (typically: upload, launch, download) under several thread
// orders and compares the results. A kernel must give the same result in every order;
// a difference points at a missing barrier or a race.
//
//   auto runs = mmn::sim::run_in_all_orders([&] { ...; return buffer.download(); });
//   EXPECT_TRUE(runs.agree()) << runs.disagreement();
//
// Under the emulator the computation runs once per thread order. On a GPU the hardware picks
// the order, so it runs once and the single result trivially agrees; tests keep the same
// source for both builds.
#if defined(__CUDACC__)
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
#else
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mmn/sim/schedule.h"

namespace mmn::sim {

inline std::vector<Schedule> all_orders() { return {{Order::forward, 0}, {Order::reverse, 0}, {Order::random, 1}}; }

namespace detail {

template <typename T, typename = void>
struct Printable : std::false_type {};
template <typename T>
struct Printable<T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<const T&>())>> : std::true_type {};

template <typename T>
std::string show(const T& value) {
  if constexpr (Printable<T>::value) {
    std::ostringstream text;
    text << value;
    return text.str();
  } else {
    return "(not printable)";
  }
}

template <typename T>
std::string first_difference(const T& a, const T& b) {
  return show(a) + " vs " + show(b);
}

template <typename T>
std::string first_difference(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return "sizes " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
  std::size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  return "element " + std::to_string(i) + ": " + show(a[i]) + " vs " + show(b[i]);
}

}  // namespace detail

template <typename Result>
struct OrderRuns {
  std::vector<Schedule> schedules;
  std::vector<Result> results;

  bool agree() const { return disagreement().empty(); }

  // Empty when every order gave the first order's result; else names the orders and the difference.
  std::string disagreement() const {
    for (std::size_t i = 1; i < results.size(); ++i) {
      if (!(results[i] == results[0])) {
        return "thread orders " + to_string(schedules[0]) + " and " + to_string(schedules[i]) +
               " give different results: " + detail::first_difference(results[0], results[i]);
      }
    }
    return {};
  }
};

template <typename Fn>
auto run_in_all_orders(Fn&& fn, const std::vector<Schedule>& schedules = all_orders())
    -> OrderRuns<std::decay_t<std::invoke_result_t<Fn&>>> {
  OrderRuns<std::decay_t<std::invoke_result_t<Fn&>>> runs;
  for (const Schedule& schedule : schedules) {
    ScopedSchedule scoped(schedule);
    runs.schedules.push_back(schedule);
    runs.results.push_back(fn());
  }
  return runs;
}

}  // namespace mmn::sim
#endif
