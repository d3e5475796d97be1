// The divergence guard names the tensor that is not finite.
#include "mmn/backend/divergence.h"

#include <gtest/gtest.h>

#include <limits>

#include "mmn/model/mmn_model.h"
#include "testing/random_block.h"

namespace mmn {
namespace {

MmnModel small_model() {
  ModelConfig c;
  c.embedding_dim = 4;
  c.ctr_hidden = {8};
  c.cvr_hidden = {8, 4};
  return MmnModel(c, testing::small_schema(false), 1);
}

TEST(Divergence, AFreshModelIsFinite) {
  const MmnModel model = small_model();
  EXPECT_EQ(non_finite_parameter(model), std::nullopt);
  MmnModel copy = small_model();
  EXPECT_EQ(non_finite_gradient({0.5, 0.3, 0.2}, copy), std::nullopt);
}

TEST(Divergence, NamesTheDenseTensorOrTheEmbeddingTableAtFault) {
  MmnModel model = small_model();
  const std::vector<DenseTensor>& tensors = model.dense().tensors();
  ASSERT_GT(tensors.size(), 3u);
  model.dense().values(3)[0] = std::numeric_limits<float>::quiet_NaN();
  const auto bad = non_finite_parameter(model);
  ASSERT_TRUE(bad.has_value());
  EXPECT_NE(bad->find(tensors[3].name), std::string::npos) << *bad;

  MmnModel other = small_model();
  other.embeddings()[1].values[2] = std::numeric_limits<float>::infinity();
  const auto table = non_finite_parameter(other);
  ASSERT_TRUE(table.has_value());
  EXPECT_NE(table->find("embedding table " + other.embeddings()[1].name), std::string::npos) << *table;
}

TEST(Divergence, ANonFiniteLossIsReported) {
  MmnModel model = small_model();
  const auto bad = non_finite_gradient({std::numeric_limits<double>::quiet_NaN(), 0.1, 0.2}, model);
  ASSERT_TRUE(bad.has_value());
  EXPECT_NE(bad->find("loss"), std::string::npos) << *bad;
}

}  // namespace
}  // namespace mmn
