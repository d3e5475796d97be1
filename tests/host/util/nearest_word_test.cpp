#include "mmn/util/nearest_word.h"

#include <gtest/gtest.h>

namespace mmn {
namespace {

TEST(NearestWord, EditDistanceCountsInsertionsDeletionsSubstitutionsAndSwaps) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("batch_size", "batch_szie"), 1u);  // one adjacent swap
  EXPECT_EQ(edit_distance("lr", "lr"), 0u);
}

TEST(NearestWord, PicksTheFirstCandidateAtTheLeastDistance) {
  EXPECT_EQ(nearest_word("train.epoch", {"train.seed", "train.epochs", "run.dir"}), "train.epochs");
  EXPECT_EQ(nearest_word("ab", {"xb", "ay"}), "xb");  // a tie goes to the first
  EXPECT_EQ(nearest_word("anything", {}), "");
}

}  // namespace
}  // namespace mmn
