// The device model's contracts beyond the step's values (those are compared with the CPU
// backend in cuda_backend_test): the gradient buckets handed to an all-reduce, the embedding
// rows merged across ranks, the memory plan, batches it was not sized for.
#include "mmn/cuda_backend/device_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <tuple>

#include "mmn/comm/gradient_exchange.h"
#include "mmn/cuda_backend/cuda_backend.h"
#include "mmn/model/mmn_model.h"
#include "mmn/model/optimizer.h"
#include "cuda/cuda_backend/device_model_fixture.h"
#include "testing/random_block.h"

namespace mmn {
namespace {

using testing::DeviceModelFixture;

// Each bucket reaches the reducer finished (its values then are its final gradients), the
// buckets are disjoint and cover every dense gradient, and what the reducer leaves in place is
// what the step ends with: doubling each bucket (a sum over two identical ranks) doubles the
// gradients of a step without a reducer, bit for bit.
TEST(DeviceModel, EveryLayerReachesTheReducerFinishedAndTheBucketsCoverTheGradients) {
  DeviceModelFixture f;
  const ColumnBlock block = testing::random_block(DeviceModelFixture::schema(), 200, 4);
  const ColumnView rows = view_of(block);
  HostBatchColumns columns = f.columns();
  const device::HostBatch batch = columns.of(rows);
  const std::size_t n = f.model.dense().size();

  auto plain = f.device_model(200);
  plain->compute_gradients(batch, f.loss_for(rows));
  std::vector<float> single(n);
  plain->download_dense_gradients(single.data());

  auto reduced = f.device_model(200);
  struct Bucket {
    std::size_t begin;
    std::vector<float> values;
  };
  std::vector<Bucket> buckets;
  const float* base = reduced->dense_gradients_on_device();
  reduced->set_bucket_reducer([&](float* data, std::size_t count, void*) {
    std::vector<float> all(n);
    reduced->download_dense_gradients(all.data());
    const auto begin = static_cast<std::size_t>(data - base);
    buckets.push_back({begin, std::vector<float>(all.begin() + begin, all.begin() + begin + count)});
    for (std::size_t i = begin; i < begin + count; ++i) all[i] *= 2.0f;
    reduced->upload_dense_gradients(all.data());
  });
  reduced->compute_gradients(batch, f.loss_for(rows));
  std::vector<float> doubled(n);
  reduced->download_dense_gradients(doubled.data());

  ASSERT_EQ(buckets.size(), 2u + 3u);  // the CTR tower's layers and the CVR tower's
  std::sort(buckets.begin(), buckets.end(), [](const Bucket& a, const Bucket& b) { return a.begin < b.begin; });
  std::size_t covered = 0;
  for (const Bucket& b : buckets) {
    EXPECT_EQ(b.begin, covered) << "buckets must be disjoint and leave no gap";
    covered = b.begin + b.values.size();
    for (std::size_t i = 0; i < b.values.size(); ++i)
      ASSERT_EQ(b.values[i], single[b.begin + i]) << "bucket at " << b.begin << " was not final, element " << i;
  }
  EXPECT_EQ(covered, n);
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(doubled[i], 2.0f * single[i]) << "element " << i;
}

// Reading ahead changes when a batch is copied in, never what a step computes: the same
// losses and parameters bit for bit, also when an evaluation pass drops the read-ahead and
// when the caller ends up passing a different batch than the one announced.
TEST(DeviceModel, ReadAheadGivesTheSameStepsAsNone) {
  DeviceModelFixture f;
  const std::vector<std::size_t> sizes = {200, 150, 200, 90, 120};
  std::vector<ColumnBlock> blocks;
  for (std::size_t i = 0; i < sizes.size(); ++i)
    blocks.push_back(testing::random_block(DeviceModelFixture::schema(), sizes[i], static_cast<std::uint32_t>(20 + i)));
  const ColumnBlock stranger = testing::random_block(DeviceModelFixture::schema(), 90, 99);
  const ColumnBlock held = testing::random_block(DeviceModelFixture::schema(), 64, 7);

  auto run = [&](bool read_ahead) {
    auto d = f.device_model(200);
    std::vector<HostBatchColumns> columns(sizes.size() + 2, f.columns());
    std::vector<double> losses;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      const ColumnView rows = view_of(blocks[i]);
      if (read_ahead && i + 1 < sizes.size())  // announce step 4's batch, then pass another at step 4
        d->set_next_batch(columns[i + 1].of(view_of(i + 1 == 3 ? stranger : blocks[i + 1])));
      losses.push_back(d->compute_gradients(columns[i].of(rows), f.loss_for(rows)).total);
      d->apply_optimizer(f.optimizer.plan(i + 1));
      if (i == 1) {  // an evaluation between steps
        std::vector<float> ctr(64), cvr(64);
        d->forward(columns.back().of(view_of(held)), ctr.data(), cvr.data());
      }
    }
    std::vector<float> params(f.model.dense().size());
    std::vector<std::vector<float>> tables;
    std::vector<float*> table_pointers;
    for (const auto& t : f.model.embeddings()) tables.emplace_back(t.values.size());
    for (auto& t : tables) table_pointers.push_back(t.data());
    d->download_parameters(params.data(), table_pointers);
    return std::make_tuple(losses, params, tables);
  };
  const auto plain = run(false), ahead = run(true);
  EXPECT_EQ(std::get<0>(ahead), std::get<0>(plain));
  EXPECT_EQ(std::get<1>(ahead), std::get<1>(plain));
  EXPECT_EQ(std::get<2>(ahead), std::get<2>(plain));
}

// Stands in for a collective between two threads, one per rank: each call publishes its rank's
// bytes, waits for the other, and copies both in rank order (emulated device memory is host
// memory); a second meeting keeps a rank from publishing again before the other has copied.
class TwoRankGather {
 public:
  device::DeviceModel::RankGatherer for_rank(int rank) {
    return [this, rank](const void* mine, const std::vector<std::size_t>& sizes, void* into, void*) {
      sent_[rank] = mine;
      meet();
      std::memcpy(into, sent_[0], sizes[0]);
      std::memcpy(static_cast<char*>(into) + sizes[0], sent_[1], sizes[1]);
      meet();
    };
  }

 private:
  void meet() {
    std::unique_lock<std::mutex> lock(mutex_);
    const unsigned generation = generation_;
    if (++arrived_ == 2) {
      arrived_ = 0;
      ++generation_;
      changed_.notify_all();
    } else {
      changed_.wait(lock, [&] { return generation_ != generation; });
    }
  }
  std::mutex mutex_;
  std::condition_variable changed_;
  unsigned arrived_ = 0, generation_ = 0;
  const void* sent_[2] = {nullptr, nullptr};
};

// Two ranks with batches of their own (one of them empty: it touched no row) merge their
// sparse gradients on the device: both end with the same rows, bitwise the host's merge of
// the two, and one optimizer step then leaves their tables identical.
TEST(DeviceModel, SparseGradientsMergedAcrossRanksEqualTheHostMergeOnEveryRank) {
  for (const std::size_t rows1 : {std::size_t{120}, std::size_t{0}}) {
    SCOPED_TRACE("rank 1 has " + std::to_string(rows1) + " rows");
    DeviceModelFixture f0, f1;
    auto d0 = f0.device_model(200), d1 = f1.device_model(200);
    const ColumnBlock b0 = testing::random_block(DeviceModelFixture::schema(), 200, 41);
    const ColumnBlock b1 = testing::random_block(DeviceModelFixture::schema(), rows1, 42);
    HostBatchColumns c0 = f0.columns(), c1 = f1.columns();
    d0->compute_gradients(c0.of(view_of(b0)), f0.loss_for(view_of(b0)));
    d1->compute_gradients(c1.of(view_of(b1)), f0.loss_for(view_of(b1)));
    std::vector<SparseRows> before0, before1, after0, after1;
    d0->download_sparse_gradients(before0);
    d1->download_sparse_gradients(before1);
    const std::vector<std::vector<std::uint32_t>> counts = {d0->sparse_gradient_counts(), d1->sparse_gradient_counts()};
    TwoRankGather meeting;
    std::thread rank1([&] { d1->merge_sparse_gradients_across_ranks(counts, meeting.for_rank(1)); });
    d0->merge_sparse_gradients_across_ranks(counts, meeting.for_rank(0));
    rank1.join();
    d0->download_sparse_gradients(after0);
    d1->download_sparse_gradients(after1);
    ASSERT_EQ(after0.size(), f0.model.embeddings().size());
    for (std::size_t t = 0; t < after0.size(); ++t) {
      const SparseRows want = merge_sparse_rows({before0[t], before1[t]}, f0.model.embeddings()[t].dim);
      EXPECT_EQ(after0[t].ids, want.ids) << "table " << t;
      EXPECT_EQ(after0[t].grads, want.grads) << "table " << t;
      EXPECT_EQ(after1[t].ids, after0[t].ids) << "table " << t;
      EXPECT_EQ(after1[t].grads, after0[t].grads) << "table " << t;
      EXPECT_EQ(before1[t].ids.empty(), rows1 == 0) << "table " << t;
    }
    d0->apply_optimizer(f0.optimizer.plan(1));
    d1->apply_optimizer(f1.optimizer.plan(1));
    std::vector<std::vector<float>> tables0, tables1;
    for (auto* d : {d0.get(), d1.get()}) {
      std::vector<float> dense(f0.model.dense().size());
      std::vector<std::vector<float>>& tables = d == d0.get() ? tables0 : tables1;
      std::vector<float*> pointers;
      for (const auto& t : f0.model.embeddings()) tables.emplace_back(t.values.size());
      for (auto& t : tables) pointers.push_back(t.data());
      d->download_parameters(dense.data(), pointers);
    }
    EXPECT_EQ(tables0, tables1);
  }
}

TEST(DeviceModel, MemoryPlanGrowsWithTheBatch) {
  DeviceModelFixture f;
  const device::MemoryPlan small = device::plan_memory(device_model_spec(f.model, &f.optimizer, 100, 0));
  const device::MemoryPlan large = device::plan_memory(device_model_spec(f.model, &f.optimizer, 10000, 0));
  EXPECT_EQ(small.parameters, large.parameters);
  EXPECT_EQ(small.parameters, 4 * (f.model.dense().size() + (40 + 9 + 3 + 4) * 4));
  EXPECT_EQ(small.optimizer_state, 2 * small.parameters);  // Adam: m and v
  EXPECT_GT(large.activations, 90 * small.activations);
}

TEST(DeviceModel, RefusesABatchLargerThanItWasSizedFor) {
  DeviceModelFixture f;
  auto d = f.device_model(50);
  const ColumnBlock block = testing::random_block(DeviceModelFixture::schema(), 51, 1);
  HostBatchColumns columns = f.columns();
  const ColumnView rows = view_of(block);
  try {
    d->compute_gradients(columns.of(rows), f.loss_for(rows));
    FAIL() << "expected an error";
  } catch (const device::DeviceError& e) {
    EXPECT_NE(std::string(e.what()).find("51 rows exceeds the 50"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mmn
