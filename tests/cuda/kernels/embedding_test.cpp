// The device embedding gather and backward against the CPU ops (host/mmn/ops/embedding.h),
// and the device radix sort against std::stable_sort, in every thread order of the emulator.
// Tolerance: none, results must be bitwise equal. The gather and the sort only move values;
// the backward adds each id's gradient rows in ascending row order starting from 0, exactly
// the CPU op's sequence of fp32 additions (no products, so no contraction into FMAs).
#include "mmn/kernels/embedding.cuh"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "mmn/comm/gradient_exchange.h"
#include "mmn/device/device_buffer.h"
#include "mmn/ops/embedding.h"
#include "mmn/device/run_in_all_orders.h"
#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

constexpr std::uint32_t kDim = 8;
// vocab 1: every id the same; 10: one sort pass, long runs; 1000 and 100003: two and three passes.
const std::vector<std::uint32_t> kVocabs = {10, 1, 1000, 100003};
constexpr std::uint32_t kDense = 3;

// Zipf-like ids: a few hot ids repeat many times, most appear once or never.
std::vector<std::uint32_t> zipf_ids(std::uint32_t rows, std::uint32_t vocab, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<std::uint32_t> ids(rows);
  for (auto& id : ids) id = (static_cast<std::uint32_t>(std::pow(u(rng), 3.0) * vocab) % vocab * 2654435761u) % vocab;
  return ids;
}

std::vector<float> random_floats(std::size_t n, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = normal(rng);
  return v;
}

struct Inputs {
  std::vector<std::vector<float>> tables;
  std::vector<std::vector<std::uint32_t>> ids;
  std::vector<std::vector<float>> dense;
  std::vector<float> dh0;
  std::uint32_t rows, width;
};

Inputs random_inputs(std::uint32_t rows, std::uint32_t seed) {
  std::mt19937 rng(seed);
  Inputs in;
  in.rows = rows;
  in.width = static_cast<std::uint32_t>(kVocabs.size()) * kDim + kDense;
  for (std::uint32_t vocab : kVocabs) {
    in.tables.push_back(random_floats(std::size_t{vocab} * kDim, rng));
    in.ids.push_back(zipf_ids(rows, vocab, rng));
  }
  for (std::uint32_t j = 0; j < kDense; ++j) in.dense.push_back(random_floats(rows, rng));
  in.dh0 = random_floats(std::size_t{rows} * in.width, rng);
  return in;
}

// Device arrays of the device pointers of a list of buffers.
template <typename T>
DeviceBuffer<const T*> pointers_of(const std::vector<DeviceBuffer<T>>& buffers) {
  std::vector<const T*> p;
  for (const auto& b : buffers) p.push_back(b.data());
  return DeviceBuffer<const T*>(p);
}

std::vector<float> gather_on_device(const Inputs& in) {
  std::vector<DeviceBuffer<float>> tables, dense;
  std::vector<DeviceBuffer<std::uint32_t>> ids;
  for (const auto& t : in.tables) tables.emplace_back(t);
  for (const auto& i : in.ids) ids.emplace_back(i);
  for (const auto& d : in.dense) dense.emplace_back(d);
  DeviceBuffer<const float*> table_ptrs = pointers_of(tables), dense_ptrs = pointers_of(dense);
  DeviceBuffer<const std::uint32_t*> id_ptrs = pointers_of(ids);
  DeviceBuffer<float> h0(std::size_t{in.rows} * in.width);
  kernels::EmbeddingGatherArgs a;
  a.tables = table_ptrs.data(), a.ids = id_ptrs.data(), a.dense = dense_ptrs.data();
  a.fields = static_cast<std::uint32_t>(kVocabs.size()), a.dim = kDim, a.dense_count = kDense, a.rows = in.rows;
  a.h0 = h0.data();
  kernels::embedding_gather(a, nullptr);
  return h0.download();
}

struct FieldGrad {
  std::vector<std::uint32_t> ids;
  std::vector<float> grads;
  bool operator==(const FieldGrad& o) const { return ids == o.ids && grads == o.grads; }
};

std::vector<FieldGrad> backward_on_device(const Inputs& in) {
  std::vector<DeviceBuffer<std::uint32_t>> ids, unique_ids, counts;
  std::vector<DeviceBuffer<float>> grads;
  std::vector<kernels::EmbeddingFieldGrad> fields;
  for (std::size_t f = 0; f < kVocabs.size(); ++f) {
    ids.emplace_back(in.ids[f]);
    unique_ids.emplace_back(in.rows);
    counts.emplace_back(1);
    grads.emplace_back(std::size_t{in.rows} * kDim);
  }
  for (std::size_t f = 0; f < kVocabs.size(); ++f)
    fields.push_back({ids[f].data(), kVocabs[f], unique_ids[f].data(), grads[f].data(), counts[f].data()});
  DeviceBuffer<float> dh0(in.dh0);
  kernels::EmbeddingBackwardWorkspace workspace(in.rows);
  kernels::embedding_backward(kDim, fields, in.rows, dh0.data(), in.width, workspace, nullptr);
  std::vector<FieldGrad> out;
  for (std::size_t f = 0; f < kVocabs.size(); ++f) {
    const std::uint32_t count = counts[f].download()[0];
    EXPECT_LE(count, in.rows) << "field " << f;
    std::vector<std::uint32_t> got_ids = unique_ids[f].download();
    std::vector<float> got_grads = grads[f].download();
    got_ids.resize(std::min(count, in.rows));
    got_grads.resize(got_ids.size() * kDim);
    out.push_back({got_ids, got_grads});
  }
  return out;
}

class EmbeddingKernels : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(EmbeddingKernels, GatherEqualsTheCpuOpInEveryThreadOrder) {
  const std::uint32_t rows = GetParam();
  const Inputs in = random_inputs(rows, rows + 1);
  const auto runs = sim::run_in_all_orders([&] { return gather_on_device(in); });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();

  std::vector<const float*> tables, dense;
  std::vector<const std::uint32_t*> ids;
  for (std::size_t f = 0; f < kVocabs.size(); ++f) tables.push_back(in.tables[f].data()), ids.push_back(in.ids[f].data());
  for (const auto& d : in.dense) dense.push_back(d.data());
  std::vector<float> want(std::size_t{rows} * in.width);
  embedding_gather(tables, kDim, ids, dense, rows, want.data());
  EXPECT_EQ(runs.results.front(), want);
}

TEST_P(EmbeddingKernels, BackwardEqualsTheCpuOpInEveryThreadOrder) {
  const std::uint32_t rows = GetParam();
  const Inputs in = random_inputs(rows, rows + 2);
  const auto runs = sim::run_in_all_orders([&] { return backward_on_device(in); });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();

  std::vector<const std::uint32_t*> ids;
  for (const auto& i : in.ids) ids.push_back(i.data());
  ThreadPool pool(2);
  std::vector<SparseRows> want;
  embedding_backward(kDim, ids, rows, in.dh0.data(), in.width, want, pool);
  for (std::size_t f = 0; f < kVocabs.size(); ++f) {
    EXPECT_EQ(runs.results.front()[f].ids, want[f].ids) << "field " << f;
    EXPECT_EQ(runs.results.front()[f].grads, want[f].grads) << "field " << f;
  }
  if (rows > 0) {
    EXPECT_EQ(runs.results.front()[1].ids.size(), 1u) << "the vocabulary-1 field has one id";
  }
}

INSTANTIATE_TEST_SUITE_P(Batches, EmbeddingKernels, ::testing::Values(0u, 1u, 17u, 300u, 4096u),
                         [](const ::testing::TestParamInfo<std::uint32_t>& p) { return "rows" + std::to_string(p.param); });

struct Sorted {
  std::vector<std::uint32_t> keys, values;
  bool operator==(const Sorted& o) const { return keys == o.keys && values == o.values; }
};

struct SortCase {
  std::uint32_t n;
  unsigned key_bits;
};

class RadixSort : public ::testing::TestWithParam<SortCase> {};

TEST_P(RadixSort, IsStableAndEqualsStdStableSortInEveryThreadOrder) {
  const SortCase c = GetParam();
  std::mt19937 rng(c.n * 7 + c.key_bits);
  // Few distinct keys spread over all key_bits, so equal keys are common and every pass matters.
  std::vector<std::uint32_t> distinct(c.n / 8 + 1);
  for (auto& k : distinct) k = c.key_bits == 32 ? static_cast<std::uint32_t>(rng()) : rng() & ((1u << c.key_bits) - 1);
  std::vector<std::uint32_t> keys(c.n), values(c.n);
  for (std::uint32_t i = 0; i < c.n; ++i) {
    keys[i] = distinct[rng() % distinct.size()];
    values[i] = i * 3 + 1;
  }
  const auto runs = sim::run_in_all_orders([&] {
    DeviceBuffer<std::uint32_t> keys_in(keys), values_in(values);
    kernels::SortWorkspace w(c.n);
    kernels::sort_pairs_by_key(w.args(keys_in.data(), values_in.data(), c.n, c.key_bits), nullptr);
    Sorted s{w.keys.download(), w.values.download()};
    EXPECT_EQ(keys_in.download(), keys) << "the input is left as it was";
    return s;
  });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();

  std::vector<std::uint32_t> order(c.n);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return keys[a] < keys[b]; });
  Sorted want;
  for (std::uint32_t i : order) want.keys.push_back(keys[i]), want.values.push_back(values[i]);
  EXPECT_EQ(runs.results.front().keys, want.keys);
  EXPECT_EQ(runs.results.front().values, want.values);
}

INSTANTIATE_TEST_SUITE_P(Sizes, RadixSort,
                         ::testing::Values(SortCase{0, 32}, SortCase{1, 32}, SortCase{17, 5}, SortCase{4096, 32},
                                           SortCase{5000, 24}, SortCase{3000, 12}, SortCase{700, 1}),
                         [](const ::testing::TestParamInfo<SortCase>& p) {
                           return "n" + std::to_string(p.param.n) + "_bits" + std::to_string(p.param.key_bits);
                         });

// Four ranks' sparse gradients of one table (one rank touched nothing), concatenated in rank
// order and merged on the device: bitwise the host's merge_sparse_rows, in every thread order.
TEST(MergeRankRows, EqualsTheHostMergeInEveryThreadOrder) {
  std::mt19937 rng(5);
  const std::uint32_t vocab = 1000;
  std::vector<SparseRows> ranks(4);
  for (std::size_t r = 0; r < ranks.size(); ++r) {
    if (r == 2) continue;
    for (std::uint32_t id = 0; id < vocab; ++id)
      if (rng() % 3 == 0) ranks[r].ids.push_back(id);
    ranks[r].grads = random_floats(ranks[r].ids.size() * kDim, rng);
  }
  std::vector<std::uint32_t> ids;
  std::vector<float> grads;
  for (const SparseRows& r : ranks) {
    ids.insert(ids.end(), r.ids.begin(), r.ids.end());
    grads.insert(grads.end(), r.grads.begin(), r.grads.end());
  }
  const auto n = static_cast<std::uint32_t>(ids.size());
  const auto runs = sim::run_in_all_orders([&] {
    DeviceBuffer<std::uint32_t> gathered_ids(ids), unique(n), count(1);
    DeviceBuffer<float> gathered_grads(grads), merged(std::size_t{n} * kDim);
    kernels::EmbeddingBackwardWorkspace workspace(n);
    kernels::merge_rank_rows(gathered_ids.data(), gathered_grads.data(), n, kDim,
                             {nullptr, vocab, unique.data(), merged.data(), count.data()}, workspace, nullptr);
    const std::uint32_t c = count.download()[0];
    FieldGrad g{unique.download(), merged.download()};
    g.ids.resize(std::min(c, n));
    g.grads.resize(g.ids.size() * kDim);
    return g;
  });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();
  const SparseRows want = merge_sparse_rows(ranks, kDim);
  ASSERT_GT(want.ids.size(), ranks[0].ids.size());
  EXPECT_EQ(runs.results.front().ids, want.ids);
  EXPECT_EQ(runs.results.front().grads, want.grads);
}

TEST(EmbeddingBackward, RejectsFieldsWiderThanH0AndOversizedBatches) {
  kernels::EmbeddingBackwardWorkspace workspace(4);
  std::vector<kernels::EmbeddingFieldGrad> fields(3);
  EXPECT_THROW(kernels::embedding_backward(8, fields, 4, nullptr, 20, workspace, nullptr), std::invalid_argument);
  EXPECT_THROW(kernels::embedding_backward(8, {}, 5, nullptr, 20, workspace, nullptr), std::invalid_argument);
  kernels::SortWorkspace sort(4);
  EXPECT_THROW(kernels::sort_pairs_by_key(sort.args(nullptr, nullptr, 4, 33), nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace mmn
