// Run by CTest under `mpiexec -np 2`: every rank runs every test; a failure on any rank fails
// the job. Checks each collective and the gradient exchange against the values each rank
// can compute for itself.
#include <gtest/gtest.h>

#include <memory>

#include "mmn/comm/communicator.h"
#include "mmn/comm/gradient_exchange.h"

namespace mmn {
namespace {

Communicator* comm = nullptr;

TEST(MpiCommunicator, RunsAsSeveralRanks) {
  ASSERT_GE(comm->size(), 2) << "start this binary with mpiexec -np 2 (or more)";
  EXPECT_LT(comm->rank(), comm->size());
}

TEST(MpiCommunicator, SumsEveryTypeOnEveryRank) {
  const int p = comm->size(), r = comm->rank();
  std::vector<float> f{static_cast<float>(r + 1), 0.5f};
  std::vector<double> d{1e-3 * r};
  std::vector<std::uint64_t> u{std::uint64_t{1} << 40, static_cast<std::uint64_t>(r)};
  comm->sum(f.data(), f.size());
  comm->sum(d.data(), d.size());
  comm->sum(u.data(), u.size());
  EXPECT_EQ(f[0], static_cast<float>(p * (p + 1) / 2));
  EXPECT_EQ(f[1], 0.5f * static_cast<float>(p));
  EXPECT_NEAR(d[0], 1e-3 * p * (p - 1) / 2, 1e-15);
  EXPECT_EQ(u[0], static_cast<std::uint64_t>(p) << 40);
  EXPECT_EQ(u[1], static_cast<std::uint64_t>(p * (p - 1) / 2));
}

TEST(MpiCommunicator, GathersAndBroadcastsBytesInRankOrder) {
  const std::string mine(static_cast<std::size_t>(comm->rank()) * 3, static_cast<char>('a' + comm->rank()));
  const std::vector<std::string> all = comm->all_gather(mine);
  ASSERT_EQ(all.size(), static_cast<std::size_t>(comm->size()));
  for (int r = 0; r < comm->size(); ++r)
    EXPECT_EQ(all[static_cast<std::size_t>(r)], std::string(static_cast<std::size_t>(r) * 3, static_cast<char>('a' + r)));
  const std::vector<std::string> at_root = comm->gather(mine);
  EXPECT_EQ(at_root.empty(), comm->rank() != 0);
  if (comm->rank() == 0) {
    EXPECT_EQ(at_root, all);
  }
  std::string b = comm->rank() == 1 ? "from one" : "";
  comm->broadcast(b, 1);
  EXPECT_EQ(b, "from one");
}

TEST(GradientExchange, MergesEveryRanksSparseRowsAndSumsTheCounts) {
  const auto r = static_cast<std::uint32_t>(comm->rank());
  std::vector<SparseRows> tables(2);
  tables[0].ids = {r, 100};  // rank r touches row r and row 100
  tables[0].grads = {1.0f, 1.0f, static_cast<float>(r), 2.0f};
  comm->barrier();
  merge_sparse_gradients(*comm, tables, {2, 1});
  const auto p = static_cast<std::uint32_t>(comm->size());
  std::vector<std::uint32_t> ids;
  for (std::uint32_t i = 0; i < p; ++i) ids.push_back(i);
  ids.push_back(100);
  EXPECT_EQ(tables[0].ids, ids);
  EXPECT_EQ(tables[0].grads[tables[0].grads.size() - 2], static_cast<float>(p * (p - 1) / 2));
  EXPECT_EQ(tables[0].grads.back(), 2.0f * static_cast<float>(p));
  EXPECT_TRUE(tables[1].ids.empty());

  LossCounts c;
  c.rows = 10, c.cvr_rows = 4, c.cvr_domain = {r, 1};
  sum_loss_counts(*comm, c);
  EXPECT_EQ(c.rows, 10u * p);
  EXPECT_EQ(c.cvr_domain, (std::vector<std::uint64_t>{p * (p - 1) / 2, p}));
}

}  // namespace
}  // namespace mmn

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  std::unique_ptr<mmn::Communicator> comm = mmn::make_communicator(&argc, &argv);
  mmn::comm = comm.get();
  if (comm->rank() != 0) ::testing::GTEST_FLAG(brief) = true;
  const int failed = RUN_ALL_TESTS();
  int all_failed = failed != 0 ? 1 : 0;
  std::uint64_t any = static_cast<std::uint64_t>(all_failed);
  comm->sum(&any, 1);
  return any != 0 ? 1 : 0;
}
