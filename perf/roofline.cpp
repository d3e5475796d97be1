#include "roofline.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

#include "mmn/ops/blas.h"
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

double sgemm_flops(int size, std::size_t threads) {
  ThreadPool pool(threads == 0 ? ThreadPool::default_threads() : threads);
  const std::size_t n = static_cast<std::size_t>(size);
  std::vector<float> a(n * n, 0.5f), b(n * n, 0.25f), c(n * n, 0.0f);
  const std::size_t parts = pool.size();
  const std::size_t rows = (n + parts - 1) / parts;
  double best = 0.0;
  for (int repeat = 0; repeat < 3; ++repeat) {
    const auto start = std::chrono::steady_clock::now();
    pool.run(parts, [&](std::size_t p) {
      const std::size_t r0 = p * rows, r1 = std::min(n, r0 + rows);
      if (r0 < r1)
        blas::sgemm(false, false, static_cast<int>(r1 - r0), size, size, 1.0f, a.data() + r0 * n, size, b.data(), size,
                    0.0f, c.data() + r0 * n, size);
    });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double flops = 2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
    if (seconds > 0 && flops / seconds > best) best = flops / seconds;
  }
  return best;
}

}  // namespace mmn::perf
