#include "mmn/synth/appender.h"

namespace mmn::synth {

BackgroundAppender::BackgroundAppender(SplitWriters& writers, std::size_t buffers, std::size_t blocks_per_batch)
    : writers_(writers) {
  for (std::size_t i = 0; i < buffers; ++i) {
    auto b = std::make_unique<Batch>();
    b->blocks.resize(blocks_per_batch);
    free_.push_back(std::move(b));
  }
  thread_ = std::thread([this] { run(); });
}

BackgroundAppender::~BackgroundAppender() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void BackgroundAppender::rethrow_locked() {
  if (error_) std::rethrow_exception(error_);
}

std::unique_ptr<Batch> BackgroundAppender::acquire() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return !free_.empty() || error_; });
  rethrow_locked();
  auto b = std::move(free_.back());
  free_.pop_back();
  b->used = 0;
  return b;
}

void BackgroundAppender::submit(std::unique_ptr<Batch> batch) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    rethrow_locked();
    queued_.push_back(std::move(batch));
  }
  changed_.notify_all();
}

void BackgroundAppender::finish() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return (queued_.empty() && !busy_) || error_; });
  rethrow_locked();
}

void BackgroundAppender::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || (!queued_.empty() && !error_); });
    if (stopping_) return;
    std::unique_ptr<Batch> batch = std::move(queued_.front());
    queued_.pop_front();
    busy_ = true;
    lock.unlock();
    std::exception_ptr error;
    try {
      for (std::size_t i = 0; i < batch->used; ++i)
        for (std::size_t k = 0; k < kSplits; ++k)
          if (writers_[k]) writers_[k]->append(view_of(batch->blocks[i][k]));
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    busy_ = false;
    if (error && !error_) error_ = error;
    free_.push_back(std::move(batch));
    changed_.notify_all();
  }
}

}  // namespace mmn::synth
