#include "mmn/train/checkpoint.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "mmn/model/mmn_model.h"
#include "mmn/model/optimizer.h"
#include "mmn/util/error.h"
#include "mmn/util/thread_pool.h"
#include "testing/random_block.h"
#include "testing/temp_dir.h"
#include "testing/error_of.h"

namespace mmn {
namespace {

ModelConfig small_model() {
  ModelConfig c;
  c.embedding_dim = 4;
  c.ctr_hidden = {8};
  c.cvr_hidden = {8};
  return c;
}

// A model and optimizer a few steps into training, so every state slot holds distinct values.
struct Trained {
  Schema schema = testing::small_schema(false);
  MmnModel model{small_model(), schema, 1};
  Optimizer optimizer{OptimizerConfig{}, model};
  Trained() {
    ThreadPool pool(2);
    ColumnBlock b = testing::random_block(schema, 64, 2);
    for (auto& v : b.dense[0]) v /= 300.0f;
    for (auto& v : b.dense[1]) v /= 300.0f;
    std::vector<std::uint32_t> domain;
    model.domains_of(view_of(b), domain);
    const LossCounts counts = count_loss_rows(b.click.data(), domain.data(), 64, 12, CvrMode::ctcvr);
    for (int s = 0; s < 3; ++s) {
      model.compute_gradients(view_of(b), counts, {}, pool);
      optimizer.step(model, pool);
    }
  }
};

using mmn::testing::error_of;

TEST(Checkpoint, RoundTripRestoresParametersOptimizerStateAndPosition) {
  testing::TempDir tmp;
  Trained a;
  write_checkpoint(tmp / "c.mmnc", a.model, a.optimizer, {42, {3, 17}, {{"note", "x"}}});
  MmnModel model(small_model(), a.schema, 99);  // different initial values
  Optimizer optimizer(OptimizerConfig{}, model);
  const CheckpointState s = read_checkpoint(tmp / "c.mmnc", model, optimizer);
  EXPECT_EQ(s.step, 42u);
  EXPECT_EQ(s.position, (LoaderPosition{3, 17}));
  EXPECT_EQ(s.extra["note"], "x");
  EXPECT_EQ(optimizer.steps(), 3u);
  EXPECT_EQ(model.dense().all_values(), a.model.dense().all_values());
  for (std::size_t t = 0; t < model.embeddings().size(); ++t)
    EXPECT_EQ(model.embeddings()[t].values, a.model.embeddings()[t].values);
  EXPECT_EQ(optimizer.dense_state(), a.optimizer.dense_state());
  EXPECT_EQ(optimizer.table_state(), a.optimizer.table_state());
}

TEST(Checkpoint, CorruptTruncatedAndMismatchedFilesAreNamed) {
  testing::TempDir tmp;
  Trained a;
  const std::string path = tmp / "c.mmnc";
  write_checkpoint(path, a.model, a.optimizer, {1, {}, {}});
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes{std::istreambuf_iterator<char>(in), {}};
  in.close();
  auto load = [&] {
    MmnModel m(small_model(), a.schema, 1);
    Optimizer o(OptimizerConfig{}, m);
    read_checkpoint(path, m, o);
  };
  auto rewrite = [&](const std::vector<char>& b) {
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(b.data(), static_cast<std::streamsize>(b.size()));
  };
  std::vector<char> flipped = bytes;
  flipped[bytes.size() - 5] ^= 0x20;
  rewrite(flipped);
  EXPECT_NE(error_of(load).find(path + ": section 'table.site.state1' is corrupt"), std::string::npos) << error_of(load);
  rewrite(std::vector<char>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2)));
  EXPECT_NE(error_of(load).find(path + ": truncated"), std::string::npos) << error_of(load);
  rewrite(std::vector<char>{'h', 'e', 'l', 'l', 'o'});
  EXPECT_NE(error_of(load).find("not an mmn checkpoint"), std::string::npos);
  rewrite(bytes);
  ModelConfig other = small_model();
  other.kind = ModelKind::star;
  MmnModel star(other, a.schema, 1);
  Optimizer so(OptimizerConfig{}, star);
  EXPECT_NE(error_of([&] { read_checkpoint(path, star, so); }).find("holds a 'mmn' model, the configuration builds 'star'"),
            std::string::npos);
}

TEST(Checkpoint, DirectoryKeepsTheNewestK) {
  testing::TempDir tmp;
  Trained a;
  CheckpointDirectory dir(tmp / "ck", 2);
  for (std::uint64_t step : {10u, 20u, 30u}) dir.save(a.model, a.optimizer, {step, {}, {}});
  const auto list = dir.list();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_NE(list[0].find("step-000000030.mmnc"), std::string::npos);
  EXPECT_NE(list[1].find("step-000000020.mmnc"), std::string::npos);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(tmp / "ck"), std::filesystem::directory_iterator()), 2);
}

}  // namespace
}  // namespace mmn
