#include "mmn/model/rare_ids.h"

#include <gtest/gtest.h>

#include <map>

#include "mmn/model/mmn_model.h"
#include "mmn/util/thread_pool.h"
#include "testing/temp_dir.h"
#include "testing/tiny_data.h"

namespace mmn {
namespace {

ModelConfig mapped_config(std::uint32_t min_count) {
  ModelConfig c;
  c.embedding_dim = 2;
  c.ctr_hidden = {4};
  c.cvr_hidden = {4};
  c.min_id_count = min_count;
  return c;
}

// Against counts taken here: every value seen fewer than 5 times maps to the table's extra last
// row, every other value to its own row; the type and scenario tables are never mapped.
TEST(RareIds, ValuesSeenFewerThanTheThresholdShareTheLastRow) {
  testing::TempDir tmp;
  const Dataset data = Dataset::open(testing::make_tiny_data(tmp, 30000, 2) + "/train");
  ThreadPool pool(2);
  MmnModel model(mapped_config(5), data.schema(), 1);
  const std::vector<std::uint64_t> rare = fit_rare_id_maps(model, data, pool);
  for (std::size_t f = 0; f < data.schema().categorical.size(); ++f) {
    const EmbeddingTable& t = model.embeddings()[f];
    ASSERT_EQ(t.rows, data.schema().categorical[f].vocab_size + 1);
    ASSERT_EQ(t.id_map.size(), data.schema().categorical[f].vocab_size);
    std::map<std::uint32_t, std::uint64_t> count;
    for (const ShardReader& s : data.shards())
      for (std::size_t i = 0; i < s.columns().rows; ++i) ++count[s.columns().categorical[f][i]];
    std::uint64_t expected_rare = 0;
    for (std::uint32_t id = 0; id < t.id_map.size(); ++id) {
      const bool is_rare = count[id] < 5;
      expected_rare += is_rare;
      EXPECT_EQ(t.id_map[id], is_rare ? t.rows - 1 : id) << "field " << f << " id " << id;
    }
    EXPECT_EQ(rare[f], expected_rare);
  }
  for (std::size_t t = data.schema().categorical.size(); t < model.embeddings().size(); ++t)
    EXPECT_TRUE(model.embeddings()[t].id_map.empty()) << model.embeddings()[t].name;
  EXPECT_GT(rare.back() + rare.front(), 0u);  // the tiny preset has rare values to map

  // A view and a block of the same rows map alike; the view's other columns are untouched.
  const ColumnView& rows = data.shards()[0].columns();
  std::vector<std::vector<std::uint32_t>> scratch;
  const ColumnView mapped = map_rare_ids(model, rows.slice(0, 100), scratch);
  EXPECT_EQ(mapped.click, rows.click);
  for (std::size_t f = 0; f < rows.categorical.size(); ++f)
    for (std::size_t i = 0; i < 100; ++i)
      EXPECT_EQ(mapped.categorical[f][i], model.embeddings()[f].id_map[rows.categorical[f][i]]);
}

TEST(RareIds, AModelWithoutAThresholdMapsNothing) {
  testing::TempDir tmp;
  const Dataset data = Dataset::open(testing::make_tiny_data(tmp, 5000, 2) + "/train");
  ThreadPool pool(2);
  MmnModel model(mapped_config(0), data.schema(), 1);
  EXPECT_EQ(fit_rare_id_maps(model, data, pool), std::vector<std::uint64_t>(data.schema().categorical.size(), 0));
  EXPECT_EQ(model.embeddings()[0].rows, data.schema().categorical[0].vocab_size);
  const ColumnView& rows = data.shards()[0].columns();
  std::vector<std::vector<std::uint32_t>> scratch;
  EXPECT_EQ(map_rare_ids(model, rows, scratch).categorical, rows.categorical);
  EXPECT_TRUE(scratch.empty());
}

}  // namespace
}  // namespace mmn
