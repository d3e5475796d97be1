#pragma once
// A fixed set of worker threads that run indexed tasks. run() blocks until every
// task is done; the calling thread works too. The first exception a task throws
// is rethrown from run() after all tasks have stopped.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mmn {

class ThreadPool {
 public:
  explicit ThreadPool(std::size_t threads = default_threads());
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  std::size_t size() const { return workers_.size() + 1; }
  void run(std::size_t tasks, const std::function<void(std::size_t)>& task);

  // MMN_THREADS when set, else the hardware concurrency.
  static std::size_t default_threads();

 private:
  void worker_loop();
  void drain();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const std::function<void(std::size_t)>* task_ = nullptr;
  std::size_t next_ = 0;
  std::size_t total_ = 0;
  // Changed under mutex_; atomic so that a waiting thread can poll them before it sleeps.
  std::atomic<std::size_t> finished_{0};
  std::atomic<std::size_t> generation_{0};
  bool stopping_ = false;
  std::exception_ptr error_;
};

// task(0), ..., task(tasks - 1) on `pool`, or one after another on the calling thread
// when pool is null.
void run_tasks(ThreadPool* pool, std::size_t tasks, const std::function<void(std::size_t)>& task);

// range(begin, end) over [0, n) cut into ranges of `chunk` (the last may be shorter), as
// tasks of run_tasks.
void run_in_chunks(ThreadPool* pool, std::size_t n, std::size_t chunk,
                   const std::function<void(std::size_t, std::size_t)>& range);

}  // namespace mmn
