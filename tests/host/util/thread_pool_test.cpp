#include "mmn/util/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>
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

TEST(ThreadPool, RunInChunksCoversTheRangeOnceInWholeChunksAndAShortLastOne) {
  ThreadPool pool(2);
  for (ThreadPool* p : {&pool, static_cast<ThreadPool*>(nullptr)}) {
    std::vector<std::atomic<int>> hits(1000);
    std::mutex m;
    std::set<std::pair<std::size_t, std::size_t>> ranges;
    run_in_chunks(p, hits.size(), 64, [&](std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i) hits[i].fetch_add(1);
      std::lock_guard<std::mutex> lock(m);
      ranges.insert({begin, end});
    });
    for (auto& h : hits) ASSERT_EQ(h.load(), 1);
    ASSERT_EQ(ranges.size(), 16u);
    EXPECT_EQ(*ranges.rbegin(), std::make_pair(std::size_t{960}, std::size_t{1000}));
    for (const auto& [begin, end] : ranges) {
      if (begin != 960) {
        EXPECT_EQ(end - begin, 64u);
      }
    }
  }
  bool called = false;
  run_in_chunks(&pool, 0, 64, [&](std::size_t, std::size_t) { called = true; });
  EXPECT_FALSE(called);
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
