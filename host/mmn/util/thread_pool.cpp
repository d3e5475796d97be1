#include "mmn/util/thread_pool.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <utility>

namespace mmn {
namespace {

// A thread about to wait first polls for this long: waking it through the condition variable
// took tens of microseconds here, and a training step makes about 40 calls of run().
constexpr auto kPollFor = std::chrono::microseconds(50);

template <class Ready>
void poll_briefly(const Ready& ready) {
  const auto start = std::chrono::steady_clock::now();
  for (unsigned i = 1; !ready(); ++i) {
    if (i % 64 == 0 && std::chrono::steady_clock::now() - start > kPollFor) return;
    std::this_thread::yield();
  }
}

}  // namespace

std::size_t ThreadPool::default_threads() {
  if (const char* env = std::getenv("MMN_THREADS")) {
    char* end = nullptr;
    const long n = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && n >= 1 && n <= 1024) return static_cast<std::size_t>(n);
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}

ThreadPool::ThreadPool(std::size_t threads) {
  for (std::size_t i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::run(std::size_t tasks, const std::function<void(std::size_t)>& task) {
  if (tasks == 0) return;
  if (workers_.empty() || tasks == 1) {
    for (std::size_t i = 0; i < tasks; ++i) task(i);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = &task;
    next_ = 0;
    total_ = tasks;
    finished_ = 0;
    error_ = nullptr;
    ++generation_;
  }
  wake_.notify_all();
  drain();
  poll_briefly([this] { return finished_.load(std::memory_order_acquire) == total_; });
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [this] { return finished_ == total_; });
  task_ = nullptr;
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void ThreadPool::drain() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (task_ != nullptr && next_ < total_) {
    const std::size_t index = next_++;
    const auto* task = task_;
    const bool skip = error_ != nullptr;
    lock.unlock();
    std::exception_ptr thrown;
    if (!skip) {
      try {
        (*task)(index);
      } catch (...) {
        thrown = std::current_exception();
      }
    }
    lock.lock();
    if (thrown && !error_) error_ = thrown;
    if (++finished_ == total_) done_.notify_all();
  }
}

void ThreadPool::worker_loop() {
  std::size_t seen = 0;
  for (;;) {
    poll_briefly([&] { return generation_.load(std::memory_order_acquire) != seen; });
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
    }
    drain();
  }
}

void run_tasks(ThreadPool* pool, std::size_t tasks, const std::function<void(std::size_t)>& task) {
  if (pool != nullptr) {
    pool->run(tasks, task);
  } else {
    for (std::size_t i = 0; i < tasks; ++i) task(i);
  }
}

void run_in_chunks(ThreadPool* pool, std::size_t n, std::size_t chunk,
                   const std::function<void(std::size_t, std::size_t)>& range) {
  run_tasks(pool, (n + chunk - 1) / chunk,
            [&](std::size_t c) { range(c * chunk, std::min(n, (c + 1) * chunk)); });
}

}  // namespace mmn
