#pragma once
// Appends batches of generated blocks to the split writers on a background thread,
// in the order they were queued, while the pool generates the next batches. A
// bounded set of batch buffers is recycled, so memory stays fixed; a writer's
// error stops the thread and is rethrown to the producer.
#include <array>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "mmn/data/dataset.h"
#include "mmn/synth/generator.h"

namespace mmn::synth {

struct Batch {
  std::vector<SplitBlocks> blocks;
  std::size_t used = 0;  // blocks[0, used) hold rows
};

using SplitWriters = std::array<std::unique_ptr<DatasetWriter>, kSplits>;

class BackgroundAppender {
 public:
  // `buffers` batches of `blocks_per_batch` blocks circulate between producer and writer.
  BackgroundAppender(SplitWriters& writers, std::size_t buffers, std::size_t blocks_per_batch);
  ~BackgroundAppender();  // stops the thread; batches still queued are dropped
  BackgroundAppender(const BackgroundAppender&) = delete;
  BackgroundAppender& operator=(const BackgroundAppender&) = delete;

  // A free batch to fill; waits while all are queued. Rethrows a writer error.
  std::unique_ptr<Batch> acquire();
  // Queues a filled batch for appending. Rethrows a writer error.
  void submit(std::unique_ptr<Batch> batch);
  // Waits until every queued batch is appended; rethrows a writer error.
  void finish();

 private:
  void run();
  void rethrow_locked();

  SplitWriters& writers_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<Batch>> queued_;
  std::vector<std::unique_ptr<Batch>> free_;
  bool busy_ = false;  // the thread is appending a batch
  bool stopping_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace mmn::synth
