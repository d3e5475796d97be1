#include "mmn/train/batch_loader.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <set>

#include "host/train/numbered_rows.h"
#include "testing/random_block.h"
#include "testing/temp_dir.h"

namespace mmn {
namespace {

// Row i's 'site' id is i, so a test can see which rows a batch holds.
struct Fixture {
  testing::TempDir tmp;
  std::string dir;
  explicit Fixture(std::size_t rows) : dir(testing::write_numbered_rows(tmp, rows)) {}
};

std::vector<std::uint32_t> epoch_rows(BatchLoader& loader, std::vector<std::size_t>* batch_sizes = nullptr) {
  std::vector<std::uint32_t> rows;
  ColumnBlock b;
  while (loader.next(b)) {
    rows.insert(rows.end(), b.categorical[2].begin(), b.categorical[2].end());
    if (batch_sizes != nullptr) batch_sizes->push_back(b.rows());
  }
  return rows;
}

TEST(BatchLoader, EachEpochVisitsEveryRowOnceInANewShuffledOrder) {
  Fixture f(1000);
  const Dataset data = Dataset::open(f.dir);
  BatchLoader loader(data, 128, 7, 2);
  std::vector<std::size_t> sizes;
  const auto first = epoch_rows(loader, &sizes);
  EXPECT_EQ(sizes.size(), 8u);
  EXPECT_EQ(sizes.back(), 1000u - 7 * 128);
  EXPECT_EQ(std::set<std::uint32_t>(first.begin(), first.end()).size(), 1000u);
  EXPECT_EQ(loader.position().epoch, 1u);
  const auto second = epoch_rows(loader);
  EXPECT_EQ(std::set<std::uint32_t>(second.begin(), second.end()).size(), 1000u);
  EXPECT_NE(first, second);
  std::vector<std::uint32_t> in_order(first);
  std::sort(in_order.begin(), in_order.end());
  EXPECT_NE(first, in_order);
}

TEST(BatchLoader, SameSeedSameOrderAndSeekResumesExactly) {
  Fixture f(1000);
  const Dataset data = Dataset::open(f.dir);
  BatchLoader a(data, 100, 3), b(data, 100, 3);
  ColumnBlock x, y;
  for (int i = 0; i < 13; ++i) a.next(x);  // into the second epoch
  const LoaderPosition at = a.position();
  EXPECT_EQ(at.epoch, 1u);
  b.seek(at);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(a.next(x));
    ASSERT_TRUE(b.next(y));
    EXPECT_EQ(x.categorical[2], y.categorical[2]);
    EXPECT_EQ(x.dense[0], y.dense[0]);
  }
  BatchLoader other_seed(data, 100, 4);
  ColumnBlock z, w;
  BatchLoader fresh(data, 100, 3);
  fresh.next(z);
  other_seed.next(w);
  EXPECT_NE(z.categorical[2], w.categorical[2]);
}

TEST(BatchLoader, RanksTakeContiguousSharesOfTheSameGlobalBatches) {
  Fixture f(1000);
  const Dataset data = Dataset::open(f.dir);
  BatchLoader one(data, 64, 5, 4), r0(data, 64, 5, 4, 0, 3), r1(data, 64, 5, 4, 1, 3), r2(data, 64, 5, 4, 2, 3);
  ColumnBlock whole, a, b, c;
  int batches = 0;
  while (one.next(whole)) {
    ASSERT_TRUE(r0.next(a) && r1.next(b) && r2.next(c)) << "batch " << batches;
    std::vector<std::uint32_t> joined = a.categorical[2];
    joined.insert(joined.end(), b.categorical[2].begin(), b.categorical[2].end());
    joined.insert(joined.end(), c.categorical[2].begin(), c.categorical[2].end());
    EXPECT_EQ(joined, whole.categorical[2]) << "batch " << batches;
    EXPECT_LE(std::max({a.rows(), b.rows(), c.rows()}) - std::min({a.rows(), b.rows(), c.rows()}), 1u);
    ++batches;
  }
  EXPECT_EQ(batches, 16);  // 1000 rows / 64, the last 40 shared too
  EXPECT_FALSE(r0.next(a));
  EXPECT_EQ(r0.position(), one.position());
}

TEST(BatchLoader, SkipsALastBatchSmallerThanTheNumberOfRanks) {
  Fixture f(1000);
  const Dataset data = Dataset::open(f.dir);
  BatchLoader r0(data, 333, 5, 4, 0, 2);  // batches of 333, 333, 333 and 1 row
  ColumnBlock a;
  int batches = 0;
  while (r0.next(a)) ++batches;
  EXPECT_EQ(batches, 3);
  EXPECT_EQ(r0.position().epoch, 1u);
}

}  // namespace
}  // namespace mmn
