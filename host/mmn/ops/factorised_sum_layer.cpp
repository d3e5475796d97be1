#include "mmn/ops/factorised_sum_layer.h"

#include <algorithm>
#include <vector>

#include "mmn/ops/blas.h"
#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

constexpr std::size_t kRowBlock = 512;
constexpr std::uint32_t kColumnChunk = 64;

// The routed rows of one parameter set of a group: row ranges [begin, end).
using Ranges = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

Ranges rows_of(int group, std::uint32_t set, const DomainGrid& grid, const Routing& r) {
  Ranges out;
  auto add = [&](std::uint32_t d0, std::uint32_t d1) {
    if (r.offsets[d1] > r.offsets[d0]) out.emplace_back(r.offsets[d0], r.offsets[d1]);
  };
  switch (group) {
    case kShared: add(0, grid.n_domains()); break;
    case kType: add(set * grid.n_scenarios, (set + 1) * grid.n_scenarios); break;
    default:
      for (std::uint32_t t = 0; t < grid.n_types; ++t) add(t * grid.n_scenarios + set, t * grid.n_scenarios + set + 1);
  }
  return out;
}

std::uint32_t count(const Ranges& ranges) {
  std::uint32_t n = 0;
  for (const auto& [b, e] : ranges) n += e - b;
  return n;
}

// Copies the rows of `ranges` (width columns each) into one contiguous block, or back (adding).
void gather(const Ranges& ranges, const float* from, std::size_t width, std::vector<float>& to) {
  to.resize(count(ranges) * width);
  std::size_t at = 0;
  for (const auto& [b, e] : ranges) {
    std::copy(from + b * width, from + e * width, to.begin() + static_cast<std::ptrdiff_t>(at));
    at += (e - b) * width;
  }
}

void scatter_add(const Ranges& ranges, const std::vector<float>& from, std::size_t width, float* to) {
  std::size_t at = 0;
  for (const auto& [b, e] : ranges)
    for (std::size_t i = b * width; i < e * width; ++i) to[i] += from[at++];
}

int gemm_int(std::size_t v) { return static_cast<int>(v); }

}  // namespace

bool factorises(const ComposedLayer& l) {
  return l.composition == Composition::sum && l.weight[kDomain] == nullptr &&
         (l.weight[kShared] != nullptr || l.weight[kType] != nullptr || l.weight[kScenario] != nullptr);
}

void factorised_sum_forward(const ComposedLayer& l, const DomainGrid& grid, const Routing& r, const float* x, float* y,
                            ThreadPool& pool) {
  const std::size_t n = r.total_rows();
  std::fill(y, y + n * l.out, 0.0f);
  // Groups in a fixed order, each set's rows disjoint from the others' of the same group.
  for (int g = kShared; g <= kScenario; ++g) {
    if (l.weight[g] == nullptr) continue;
    if (g == kShared) {  // one set over every row: split the rows
      pool.run((n + kRowBlock - 1) / kRowBlock, [&](std::size_t blk) {
        const std::size_t b = blk * kRowBlock, e = std::min(n, b + kRowBlock);
        blas::sgemm(false, false, gemm_int(e - b), gemm_int(l.out), gemm_int(l.in), 1.0f, x + b * l.in, gemm_int(l.in),
                    l.weight[kShared], gemm_int(l.out), 1.0f, y + b * l.out, gemm_int(l.out));
      });
      continue;
    }
    const std::uint32_t sets = grid.sets(g);
    pool.run(sets, [&](std::size_t set) {
      const Ranges ranges = rows_of(g, static_cast<std::uint32_t>(set), grid, r);
      if (ranges.empty()) return;
      const float* w = l.weight[g] + set * l.in * l.out;
      if (ranges.size() == 1) {
        const auto [b, e] = ranges.front();
        blas::sgemm(false, false, gemm_int(e - b), gemm_int(l.out), gemm_int(l.in), 1.0f, x + std::size_t{b} * l.in,
                    gemm_int(l.in), w, gemm_int(l.out), 1.0f, y + std::size_t{b} * l.out, gemm_int(l.out));
        return;
      }
      std::vector<float> xs, ys;
      gather(ranges, x, l.in, xs);
      ys.resize(count(ranges) * l.out);
      blas::sgemm(false, false, gemm_int(count(ranges)), gemm_int(l.out), gemm_int(l.in), 1.0f, xs.data(),
                  gemm_int(l.in), w, gemm_int(l.out), 0.0f, ys.data(), gemm_int(l.out));
      scatter_add(ranges, ys, l.out, y);
    });
  }
  const std::size_t blocks = (n + kRowBlock - 1) / kRowBlock;
  pool.run(blocks, [&](std::size_t blk) {
    std::vector<float> bias(l.out);
    std::uint32_t bias_domain = ~0u;
    for (std::size_t k = blk * kRowBlock; k < std::min(n, (blk + 1) * kRowBlock); ++k) {
      const auto d = static_cast<std::uint32_t>(std::upper_bound(r.offsets.begin(), r.offsets.end(), k) - r.offsets.begin() - 1);
      if (d != bias_domain) {
        compose_bias(l, grid, d, bias.data());
        bias_domain = d;
      }
      float* row = y + k * l.out;
      for (std::uint32_t j = 0; j < l.out; ++j) row[j] = l.relu ? std::max(row[j] + bias[j], 0.0f) : row[j] + bias[j];
    }
  });
}

void factorised_sum_backward(const ComposedLayer& l, const DomainGrid& grid, const Routing& r, const float* x,
                             const float* dz, float* dx, const ComposedLayerGrad& grad, ThreadPool& pool) {
  const std::size_t n = r.total_rows();
  if (dx != nullptr) std::fill(dx, dx + n * l.in, 0.0f);
  if (l.weight[kShared] != nullptr && n > 0) {  // one set over every row: columns for dW, rows for dx
    pool.run((l.out + kColumnChunk - 1) / kColumnChunk, [&](std::size_t c) {
      const std::uint32_t c0 = static_cast<std::uint32_t>(c) * kColumnChunk, c1 = std::min(c0 + kColumnChunk, l.out);
      blas::sgemm(true, false, gemm_int(l.in), gemm_int(c1 - c0), gemm_int(n), 1.0f, x, gemm_int(l.in), dz + c0,
                  gemm_int(l.out), 1.0f, grad.weight[kShared] + c0, gemm_int(l.out));
      for (std::size_t i = 0; i < n; ++i)
        for (std::uint32_t j = c0; j < c1; ++j) grad.bias[kShared][j] += dz[i * l.out + j];
    });
    if (dx != nullptr)
      pool.run((n + kRowBlock - 1) / kRowBlock, [&](std::size_t blk) {
        const std::size_t b = blk * kRowBlock, e = std::min(n, b + kRowBlock);
        blas::sgemm(false, true, gemm_int(e - b), gemm_int(l.in), gemm_int(l.out), 1.0f, dz + b * l.out,
                    gemm_int(l.out), l.weight[kShared], gemm_int(l.out), 1.0f, dx + b * l.in, gemm_int(l.in));
      });
  }
  for (int g = kType; g <= kScenario; ++g) {
    if (l.weight[g] == nullptr) continue;
    const std::uint32_t sets = grid.sets(g);
    pool.run(sets, [&](std::size_t set) {
      const Ranges ranges = rows_of(g, static_cast<std::uint32_t>(set), grid, r);
      if (ranges.empty()) return;
      const std::size_t offset = set * l.in * l.out;
      const float* w = l.weight[g] + offset;
      float* gw = grad.weight[g] + offset;
      float* gb = grad.bias[g] + set * l.out;
      std::vector<float> xs, dzs, dxs;
      const float* xp = x;
      const float* dzp = dz;
      std::uint32_t rows = count(ranges);
      if (ranges.size() == 1) {
        xp = x + std::size_t{ranges.front().first} * l.in;
        dzp = dz + std::size_t{ranges.front().first} * l.out;
      } else {
        gather(ranges, x, l.in, xs);
        gather(ranges, dz, l.out, dzs);
        xp = xs.data();
        dzp = dzs.data();
      }
      blas::sgemm(true, false, gemm_int(l.in), gemm_int(l.out), gemm_int(rows), 1.0f, xp, gemm_int(l.in), dzp,
                  gemm_int(l.out), 1.0f, gw, gemm_int(l.out));
      for (std::uint32_t i = 0; i < rows; ++i)
        for (std::uint32_t j = 0; j < l.out; ++j) gb[j] += dzp[std::size_t{i} * l.out + j];
      if (dx == nullptr) return;
      if (ranges.size() == 1) {
        blas::sgemm(false, true, gemm_int(rows), gemm_int(l.in), gemm_int(l.out), 1.0f, dzp, gemm_int(l.out), w,
                    gemm_int(l.out), 1.0f, dx + std::size_t{ranges.front().first} * l.in, gemm_int(l.in));
      } else {
        dxs.resize(std::size_t{rows} * l.in);
        blas::sgemm(false, true, gemm_int(rows), gemm_int(l.in), gemm_int(l.out), 1.0f, dzp, gemm_int(l.out), w,
                    gemm_int(l.out), 0.0f, dxs.data(), gemm_int(l.in));
        scatter_add(ranges, dxs, l.in, dx);
      }
    });
  }
}

}  // namespace mmn
