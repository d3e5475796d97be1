#include "roofline.h"

#include <chrono>
#include <cstring>
#include <vector>

#include "mmn/util/thread_pool.h"

namespace mmn::perf {

double memcpy_bandwidth(std::size_t bytes, std::size_t threads) {
  ThreadPool pool(threads == 0 ? ThreadPool::default_threads() : threads);
  std::vector<char> from(bytes, 1), to(bytes, 0);
  const std::size_t parts = pool.size();
  const std::size_t slice = bytes / parts;
  double best = 0.0;
  for (int repeat = 0; repeat < 5; ++repeat) {
    const auto start = std::chrono::steady_clock::now();
    pool.run(parts, [&](std::size_t p) {
      const std::size_t len = p + 1 == parts ? bytes - p * slice : slice;
      std::memcpy(to.data() + p * slice, from.data() + p * slice, len);
    });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (seconds > 0 && static_cast<double>(bytes) / seconds > best) best = static_cast<double>(bytes) / seconds;
  }
  return best;
}

}  // namespace mmn::perf
