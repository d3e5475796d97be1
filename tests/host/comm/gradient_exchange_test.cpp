#include "mmn/comm/gradient_exchange.h"

#include <gtest/gtest.h>

#include "testing/error_of.h"

namespace mmn {
namespace {

using testing::error_of;

SparseRows rows(std::vector<std::uint32_t> ids, std::vector<float> grads) { return {std::move(ids), std::move(grads)}; }

TEST(MergeSparseRows, TakesTheUnionOfIdsAndSumsRowsOfTheSameIdInRankOrder) {
  const std::vector<SparseRows> per_rank = {rows({1, 4, 9}, {1, 2, 3, 4, 5, 6}), rows({}, {}),
                                            rows({0, 4}, {7, 8, 0.5f, 0.25f}), rows({9}, {-5, -6})};
  const SparseRows merged = merge_sparse_rows(per_rank, 2);
  EXPECT_EQ(merged.ids, (std::vector<std::uint32_t>{0, 1, 4, 9}));
  EXPECT_EQ(merged.grads, (std::vector<float>{7, 8, 1, 2, 3.5f, 4.25f, 0, 0}));
}

TEST(MergeSparseRows, OfOneRankIsThatRank) {
  const SparseRows one = rows({2, 3}, {1, 2, 3});
  const SparseRows merged = merge_sparse_rows({one}, 1);
  EXPECT_EQ(merged.ids, (std::vector<std::uint32_t>{2, 3}));
  EXPECT_EQ(merged.grads, (std::vector<float>{1, 2}));
}

TEST(SparseRowsMessage, RoundTripsAndRejectsMalformedBytes) {
  const SparseRows r = rows({3, 8}, {1, 2, 3, 4, 5, 6});
  const SparseRows back = decode_sparse_rows(encode_sparse_rows(r), 3, "table 0");
  EXPECT_EQ(back.ids, r.ids);
  EXPECT_EQ(back.grads, r.grads);
  std::string bytes = encode_sparse_rows(r);
  EXPECT_NE(error_of([&] { decode_sparse_rows(bytes.substr(0, bytes.size() - 1), 3, "table 0"); }).find("table 0"),
            std::string::npos);
  EXPECT_NE(error_of([&] { decode_sparse_rows("abc", 3, "table 1"); }).find("too short"), std::string::npos);
  EXPECT_NE(error_of([&] { decode_sparse_rows(encode_sparse_rows(rows({8, 3}, {1, 2})), 1, "t"); })
                .find("not ascending"),
            std::string::npos);
}

TEST(LocalCommunicator, EveryCollectiveIsTheIdentity) {
  const auto comm = make_local_communicator();
  EXPECT_EQ(comm->rank(), 0);
  EXPECT_EQ(comm->size(), 1);
  std::vector<float> g{1.5f, -2.0f};
  sum_dense_gradients(*comm, g);
  EXPECT_EQ(g, (std::vector<float>{1.5f, -2.0f}));
  LossCounts c;
  c.rows = 5, c.cvr_rows = 3, c.cvr_domain = {1, 2};
  sum_loss_counts(*comm, c);
  EXPECT_EQ(c.cvr_domain, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(comm->all_gather("x"), (std::vector<std::string>{"x"}));
}

}  // namespace
}  // namespace mmn
