#pragma once
// Routing rows to their domain's tower: a histogram of domain ids, its exclusive
// scan, and a stable counting sort. order[k] is the original row at routed
// position k; the rows of domain d are routed positions [offsets[d], offsets[d+1]).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mmn {

class ThreadPool;

struct Routing {
  std::uint32_t n_domains = 0;
  std::vector<std::uint32_t> offsets;  // n_domains + 1
  std::vector<std::uint32_t> order;    // routed position -> original row
  std::vector<std::uint32_t> active;   // domains with at least one row, ascending

  std::uint32_t rows(std::uint32_t d) const { return offsets[d + 1] - offsets[d]; }
  std::size_t total_rows() const { return order.size(); }
};

// domain[i] must be < n_domains.
void route_by_domain(const std::uint32_t* domain, std::size_t n, std::uint32_t n_domains, Routing& out);

// out[k * width ...] = in[order[k] * width ...] for every routed position k; over the pool when
// one is given (each position writes its own row).
void gather_rows(const Routing& routing, const float* in, std::size_t width, float* out, ThreadPool* pool = nullptr);
// out[order[k] * width ...] (+)= in[k * width ...]; order is a permutation, so the pool's tasks
// write disjoint rows.
void scatter_rows(const Routing& routing, const float* in, std::size_t width, float* out, bool accumulate,
                  ThreadPool* pool = nullptr);

}  // namespace mmn
