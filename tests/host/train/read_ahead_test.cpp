#include "mmn/train/read_ahead.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "host/train/numbered_rows.h"

namespace mmn {
namespace {

struct Seen {
  std::vector<std::vector<std::uint32_t>> batches;  // row ids of each batch returned
  std::vector<LoaderPosition> positions;            // position() after each
  std::vector<std::vector<std::uint32_t>> prefetched;
  int prepared = 0;
};

Seen read_all(const Dataset& data, bool read_ahead, std::uint32_t epochs) {
  BatchLoader loader(data, 128, 7, 2);
  Seen seen;
  ReadAheadBatches batches(
      loader, epochs, [&](TrainingBatch&) { ++seen.prepared; },
      [&](const TrainingBatch& b) { seen.prefetched.push_back(b.rows.categorical[2]); });
  while (const TrainingBatch* b = batches.next(read_ahead)) {
    seen.batches.push_back(b->rows.categorical[2]);
    seen.positions.push_back(batches.position());
  }
  return seen;
}

TEST(ReadAheadBatches, GivesTheLoadersBatchesAndPositionsWithOrWithoutReadingAhead) {
  testing::TempDir tmp;
  const Dataset data = Dataset::open(testing::write_numbered_rows(tmp, 1000));
  // The plain loader over two epochs: the reference.
  BatchLoader loader(data, 128, 7, 2);
  std::vector<std::vector<std::uint32_t>> expected;
  std::vector<LoaderPosition> expected_positions;
  ColumnBlock b;
  while (loader.position().epoch < 2) {
    if (!loader.next(b)) continue;
    expected.push_back(b.categorical[2]);
    expected_positions.push_back(loader.position());
  }
  ASSERT_EQ(expected.size(), 16u);

  for (const bool ahead : {false, true}) {
    const Seen seen = read_all(data, ahead, 2);
    EXPECT_EQ(seen.batches, expected) << ahead;
    // A checkpoint taken after batch k resumes at batch k + 1, read ahead or not (at an
    // epoch's end, reading ahead has moved on to the next epoch's start: the same place).
    ASSERT_EQ(seen.positions.size(), expected.size());
    for (std::size_t k = 0; k + 1 < expected.size(); ++k) {
      BatchLoader resumed(data, 128, 7, 2);
      resumed.seek(seen.positions[k]);
      if (!resumed.next(b)) {
        ASSERT_TRUE(resumed.next(b));
      }
      EXPECT_EQ(b.categorical[2], expected[k + 1]) << "after batch " << k << (ahead ? ", reading ahead" : "");
    }
    EXPECT_EQ(seen.positions[3], expected_positions[3]);
    EXPECT_EQ(seen.prepared, 16) << ahead;  // every batch once
  }
  // Each batch read ahead goes to the backend before it is returned; none past the last.
  const Seen ahead = read_all(data, true, 2);
  ASSERT_EQ(ahead.prefetched.size(), 14u);  // not the first batch of each epoch
  for (const auto& p : ahead.prefetched)
    EXPECT_NE(std::find(expected.begin(), expected.end(), p), expected.end());
}

TEST(ReadAheadBatches, WithoutAnEpochLimitGoesOnPastTheFirstEpoch) {
  testing::TempDir tmp;
  const Dataset data = Dataset::open(testing::write_numbered_rows(tmp, 1000));
  BatchLoader loader(data, 128, 7, 2);
  ReadAheadBatches batches(
      loader, 0, [](TrainingBatch&) {}, [](const TrainingBatch&) {});
  for (int i = 0; i < 30; ++i) ASSERT_NE(batches.next(true), nullptr) << i;
  EXPECT_GE(batches.position().epoch, 3u);
}

// A prepared batch's view carries its domain ids; one whose ids are missing or stale (another
// row count) carries none, so a backend works them out itself.
TEST(TrainingBatch, ViewCarriesTheDomainIdsOnlyWhenTheyCoverTheRows) {
  testing::TempDir tmp;
  const Dataset data = Dataset::open(testing::write_numbered_rows(tmp, 300));
  BatchLoader loader(data, 128, 7, 1);
  TrainingBatch batch;
  ASSERT_TRUE(loader.next(batch.rows));
  EXPECT_EQ(batch.view().domain, nullptr);
  batch.domain.assign(batch.rows.rows() - 1, 0);
  EXPECT_EQ(batch.view().domain, nullptr);
  batch.domain.assign(batch.rows.rows(), 3);
  const ColumnView v = batch.view();
  ASSERT_EQ(v.domain, batch.domain.data());
  EXPECT_EQ(v.slice(5, 9).domain, batch.domain.data() + 5);
  EXPECT_EQ(v.rows, batch.rows.rows());
}

}  // namespace
}  // namespace mmn
