// The thread orders: that they really run threads (and blocks) in different orders, their
// names, and MMN_SIM_ORDER.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "cuda/sim/schedule_kernels.h"
#include "mmn/device/device_buffer.h"
#include "mmn/device/run_in_all_orders.h"

namespace mmn::sim_test {
namespace {

using sim::Order;
using sim::Schedule;

std::vector<unsigned> run_order(const Schedule& schedule, unsigned blocks, unsigned threads) {
  sim::ScopedSchedule scoped(schedule);
  DeviceBuffer<unsigned> next(std::vector<unsigned>{0u}), log(blocks * threads);
  MMN_LAUNCH(log_run_order, dim3(blocks), dim3(threads), 0, nullptr, next.data(), log.data());
  return log.download();
}

TEST(SimOrders, ForwardReverseAndRandomRunThreadsDifferently) {
  const unsigned blocks = 3, threads = 40, n = blocks * threads;
  std::vector<unsigned> ascending(n);
  std::iota(ascending.begin(), ascending.end(), 0u);
  std::vector<unsigned> descending(ascending.rbegin(), ascending.rend());

  EXPECT_EQ(run_order({Order::forward, 0}, blocks, threads), ascending);
  EXPECT_EQ(run_order({Order::reverse, 0}, blocks, threads), descending);

  const std::vector<unsigned> random7 = run_order({Order::random, 7}, blocks, threads);
  EXPECT_NE(random7, ascending);
  EXPECT_NE(random7, descending);
  std::vector<unsigned> sorted = random7;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, ascending);                                            // every thread ran once
  EXPECT_EQ(run_order({Order::random, 7}, blocks, threads), random7);      // reproducible
  EXPECT_NE(run_order({Order::random, 8}, blocks, threads), random7);      // seed-dependent
  // Blocks run one after another, in a random order too.
  std::vector<unsigned> block_order;
  for (unsigned i = 0; i < n; i += threads) block_order.push_back(random7[i] / threads);
  for (unsigned i = 0; i < n; ++i) EXPECT_EQ(random7[i] / threads, block_order[i / threads]) << i;
}

TEST(SimOrders, RandomOrderIsDrawnAfreshAfterEachBarrier) {
  sim::ScopedSchedule scoped({Order::random, 3});
  const unsigned threads = 64;
  DeviceBuffer<unsigned> next(std::vector<unsigned>{0u}), log(2 * threads);
  MMN_LAUNCH(log_run_order_around_barrier, dim3(1), dim3(threads), 0, nullptr, next.data(), log.data());
  const std::vector<unsigned> got = log.download();
  const std::vector<unsigned> before(got.begin(), got.begin() + threads), after(got.begin() + threads, got.end());
  EXPECT_NE(before, after);
  std::vector<unsigned> sorted_after = after;
  std::sort(sorted_after.begin(), sorted_after.end());
  std::vector<unsigned> ids(threads);
  std::iota(ids.begin(), ids.end(), 0u);
  EXPECT_EQ(sorted_after, ids);  // nobody passed the barrier before everyone reached it
}

TEST(SimOrders, NamesRoundTrip) {
  for (const Schedule& s : {Schedule{Order::forward, 0}, Schedule{Order::reverse, 0}, Schedule{Order::random, 0},
                            Schedule{Order::random, 18446744073709551615ull}}) {
    EXPECT_EQ(sim::parse_schedule(sim::to_string(s)), s) << sim::to_string(s);
  }
  EXPECT_EQ(sim::to_string({Order::random, 7}), "random:7");
}

TEST(SimOrders, BadNamesAreRejectedWithTheirOrigin) {
  for (const char* bad : {"", "Forward", "random", "random:", "random:-1", "random:7x", "reverse "}) {
    try {
      sim::parse_schedule(bad, "MMN_SIM_ORDER");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("MMN_SIM_ORDER"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("random:SEED"), std::string::npos) << e.what();
    }
  }
}

// Run with MMN_SIM_ORDER set (as the sim_tests.order_* CTest entries do), launches follow it.
TEST(SimOrders, EnvironmentVariableSetsTheDefault) {
  const char* env = std::getenv("MMN_SIM_ORDER");
  const Schedule expected = env && *env ? sim::parse_schedule(env) : Schedule{};
  EXPECT_EQ(sim::current_schedule(), expected);
  const unsigned threads = 16;
  DeviceBuffer<unsigned> next(std::vector<unsigned>{0u}), log(threads);
  MMN_LAUNCH(log_run_order, dim3(1), dim3(threads), 0, nullptr, next.data(), log.data());
  EXPECT_EQ(log.download(), run_order(expected, 1, threads));
}

TEST(SimOrders, RunInAllOrdersRestoresTheSchedule) {
  const Schedule before = sim::current_schedule();
  auto runs = sim::run_in_all_orders([] { return sim::current_schedule(); });
  EXPECT_EQ(runs.results, sim::all_orders());
  EXPECT_EQ(sim::current_schedule(), before);
}

}  // namespace
}  // namespace mmn::sim_test
