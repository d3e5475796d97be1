#include "mmn/ops/routing.h"

#include <algorithm>

#include "mmn/ops/copy_floats.h"
#include "mmn/util/thread_pool.h"

namespace mmn {

void route_by_domain(const std::uint32_t* domain, std::size_t n, std::uint32_t n_domains, Routing& out) {
  out.n_domains = n_domains;
  out.offsets.assign(std::size_t{n_domains} + 1, 0);
  for (std::size_t i = 0; i < n; ++i) out.offsets[domain[i] + 1] += 1;
  out.active.clear();
  for (std::uint32_t d = 0; d < n_domains; ++d) {
    if (out.offsets[d + 1] > 0) out.active.push_back(d);
    out.offsets[d + 1] += out.offsets[d];
  }
  out.order.resize(n);
  std::vector<std::uint32_t> cursor(out.offsets.begin(), out.offsets.end() - 1);
  for (std::size_t i = 0; i < n; ++i) out.order[cursor[domain[i]]++] = static_cast<std::uint32_t>(i);
}

namespace {
constexpr std::size_t kRowsPerTask = 512;
}  // namespace

void gather_rows(const Routing& r, const float* in, std::size_t width, float* out, ThreadPool* pool) {
  run_in_chunks(pool, r.order.size(), kRowsPerTask, [&](std::size_t begin, std::size_t end) {
    for (std::size_t k = begin; k < end; ++k) copy_floats(out + k * width, in + std::size_t{r.order[k]} * width, width);
  });
}

void scatter_rows(const Routing& r, const float* in, std::size_t width, float* out, bool accumulate,
                  ThreadPool* pool) {
  run_in_chunks(pool, r.order.size(), kRowsPerTask, [&](std::size_t begin, std::size_t end) {
    for (std::size_t k = begin; k < end; ++k) {
      float* dst = out + std::size_t{r.order[k]} * width;
      const float* src = in + k * width;
      if (accumulate) {
        for (std::size_t j = 0; j < width; ++j) dst[j] += src[j];
      } else {
        copy_floats(dst, src, width);
      }
    }
  });
}

}  // namespace mmn
