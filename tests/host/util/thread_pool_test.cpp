#include "mmn/util/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace mmn {
namespace {

TEST(ThreadPool, RunsEveryTaskExactlyOnceAcrossRepeatedRuns) {
  ThreadPool pool(3);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::atomic<int>> hits(257);
    pool.run(hits.size(), [&](std::size_t i) { hits[i].fetch_add(1); });
    for (auto& h : hits) ASSERT_EQ(h.load(), 1);
  }
}

TEST(ThreadPool, UsesMoreThanOneThreadWhenItHasThem) {
  ThreadPool pool(2);
  std::mutex m;
  std::set<std::thread::id> ids;
  std::atomic<int> waiting{0};
  pool.run(2, [&](std::size_t) {
    {
      std::lock_guard<std::mutex> lock(m);
      ids.insert(std::this_thread::get_id());
    }
    // Each task waits (bounded) for the other to start, so both threads must take one.
    waiting.fetch_add(1);
    for (int i = 0; i < 2000 && waiting.load() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  EXPECT_EQ(ids.size(), 2u);
}

TEST(ThreadPool, RethrowsATaskExceptionAndStaysUsable) {
  ThreadPool pool(2);
  EXPECT_THROW(pool.run(10, [](std::size_t i) { if (i == 7) throw std::runtime_error("task 7"); }), std::runtime_error);
  std::atomic<int> n{0};
  pool.run(10, [&](std::size_t) { n.fetch_add(1); });
  EXPECT_EQ(n.load(), 10);
}

}  // namespace
}  // namespace mmn
