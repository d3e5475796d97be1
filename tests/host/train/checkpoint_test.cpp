#include "mmn/train/checkpoint.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "mmn/model/mmn_model.h"
#include "mmn/model/optimizer.h"
#include "mmn/util/error.h"
#include "mmn/util/file_writer.h"
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
// small_schema() with a small "site" vocabulary: a checkpoint of a few kilobytes, for
// tests that rewrite it thousands of times.
Schema compact_schema() {
  Schema s = testing::small_schema(false);
  s.categorical.back().vocab_size = 64;
  return s;
}

struct Trained {
  Schema schema;
  MmnModel model{small_model(), schema, 1};
  Optimizer optimizer;
  explicit Trained(Schema data_schema = testing::small_schema(false), const OptimizerConfig& config = {})
      : schema(std::move(data_schema)), optimizer(config, model) {
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

// Adagrad tables beside Adam dense parameters: the tables' one state slot comes back, and a
// configuration whose tables use Adam is refused by name.
TEST(Checkpoint, TheTablesOwnOptimizerStateRoundTripsAndAMismatchIsNamed) {
  testing::TempDir tmp;
  OptimizerConfig mixed;
  mixed.embedding_optimizer = EmbeddingOptimizer::adagrad;
  Trained a(testing::small_schema(false), mixed);
  const std::string path = tmp / "c.mmnc";
  write_checkpoint(path, a.model, a.optimizer, {3, {}, {}});
  MmnModel model(small_model(), a.schema, 99);
  Optimizer optimizer(mixed, model);
  read_checkpoint(path, model, optimizer);
  ASSERT_EQ(optimizer.table_state().front().size(), 1u);
  EXPECT_EQ(optimizer.table_state(), a.optimizer.table_state());
  EXPECT_EQ(optimizer.dense_state(), a.optimizer.dense_state());
  Optimizer adam(OptimizerConfig{}, model);
  EXPECT_NE(error_of([&] { read_checkpoint(path, model, adam); })
                .find(path + ": holds adagrad state for the embedding tables, the configuration uses adam"),
            std::string::npos)
      << error_of([&] { read_checkpoint(path, model, adam); });
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
  flipped[bytes.size() - 13] ^= 0x20;  // in the last section's data, before the 8-byte trailer
  rewrite(flipped);
  EXPECT_NE(error_of(load).find(path + ": section 'table." + a.model.embeddings().back().name + ".state1' is corrupt"),
            std::string::npos)
      << error_of(load);
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

std::vector<char> bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const std::string& path, const std::vector<char>& b) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(b.data(), static_cast<std::streamsize>(b.size()));
}

// Every single-byte change anywhere in the file (header, names, sizes, data, trailer) is
// reported as corruption naming the file, never read as valid and never as a checkpoint of
// another model (which would stop a resume instead of falling back to an older checkpoint).
TEST(Checkpoint, AnyFlippedByteIsCorruptionNamingTheFile) {
  testing::TempDir tmp;
  Trained a(compact_schema());
  const std::string path = tmp / "c.mmnc";
  write_checkpoint(path, a.model, a.optimizer, {7, {1, 2}, {}});
  const std::vector<char> bytes = bytes_of(path);
  MmnModel m(small_model(), a.schema, 1);
  Optimizer o(OptimizerConfig{}, m);
  // Every byte of the file head (magic, version, count, the meta section), then about 500
  // bytes spread over the rest, the last 8 (the trailer) included.
  const std::size_t stride = std::max<std::size_t>(1, bytes.size() / 500);
  std::size_t flips = 0;
  auto next = [&](std::size_t at) {
    return at < 1024 || at + 16 >= bytes.size() ? at + 1 : std::min(at + stride, bytes.size() - 16);
  };
  for (std::size_t at = 0; at < bytes.size(); at = next(at)) {
    std::vector<char> flipped = bytes;
    flipped[at] = static_cast<char>(flipped[at] ^ (1 << (at % 8)));
    write_bytes(path, flipped);
    std::string message;
    bool mismatch = false;
    try {
      read_checkpoint(path, m, o);
    } catch (const CheckpointMismatch& e) {
      mismatch = true;
      message = e.what();
    } catch (const Error& e) {
      message = e.what();
    }
    ASSERT_FALSE(mismatch) << "byte " << at << ": " << message;
    ASSERT_NE(message.find(path), std::string::npos) << "byte " << at << " flipped was not detected: " << message;
    ++flips;
  }
  EXPECT_GE(flips, std::min<std::size_t>(bytes.size(), 1500)) << bytes.size() << " bytes";
  for (const std::size_t keep : {std::size_t{0}, std::size_t{12}, bytes.size() / 3, bytes.size() - 8, bytes.size() - 1}) {
    write_bytes(path, std::vector<char>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(keep)));
    EXPECT_NE(error_of([&] { read_checkpoint(path, m, o); }).find(path), std::string::npos) << "truncated to " << keep;
  }
  std::vector<char> longer = bytes;
  longer.push_back('x');
  write_bytes(path, longer);
  EXPECT_NE(error_of([&] { read_checkpoint(path, m, o); }).find("unexpected bytes after the last section"),
            std::string::npos);
}

// A full disk while saving: a clear error naming the checkpoint, no temporary file left,
// and the checkpoints written before untouched and still readable.
TEST(Checkpoint, WriteFailureLeavesTheEarlierCheckpointsIntact) {
  testing::TempDir tmp;
  Trained a(compact_schema());
  CheckpointDirectory dir(tmp / "ck", 2);
  dir.save(a.model, a.optimizer, {10, {}, {}});
  const std::string kept = dir.save(a.model, a.optimizer, {20, {}, {}});
  const std::vector<char> before = bytes_of(kept);
  for (const long long after : {0LL, 100LL, static_cast<long long>(before.size()) - 1}) {
    set_write_failure_after_bytes(after);
    const std::string message = error_of([&] { dir.save(a.model, a.optimizer, {30, {}, {}}); });
    set_write_failure_after_bytes(-1);
    EXPECT_NE(message.find("cannot write checkpoint " + (tmp / "ck/step-000000030.mmnc")), std::string::npos)
        << message;
    EXPECT_NE(message.find("No space left on device"), std::string::npos) << message;
    EXPECT_NE(message.find("earlier checkpoints are intact"), std::string::npos) << message;
    const auto list = dir.list();
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0], kept);
    EXPECT_EQ(bytes_of(kept), before);
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(tmp / "ck"), std::filesystem::directory_iterator()), 2);
  }
  MmnModel m(small_model(), a.schema, 5);
  Optimizer o(OptimizerConfig{}, m);
  EXPECT_EQ(read_checkpoint(kept, m, o).step, 20u);
  EXPECT_EQ(m.dense().all_values(), a.model.dense().all_values());
}

TEST(Checkpoint, OpeningTheDirectoryRemovesTemporaryFilesOfUnfinishedWrites) {
  testing::TempDir tmp;
  Trained a(compact_schema());
  const std::string kept = CheckpointDirectory(tmp / "ck", 3).save(a.model, a.optimizer, {5, {}, {}});
  write_bytes(tmp / "ck/step-000000006.mmnc.tmp-12345", {'p', 'a', 'r', 't'});
  write_bytes(tmp / "ck/notes.txt", {'k', 'e', 'e', 'p'});
  const CheckpointDirectory dir(tmp / "ck", 3);
  EXPECT_FALSE(std::filesystem::exists(tmp / "ck/step-000000006.mmnc.tmp-12345"));
  EXPECT_TRUE(std::filesystem::exists(tmp / "ck/notes.txt"));
  EXPECT_EQ(dir.list(), std::vector<std::string>{kept});
}

}  // namespace
}  // namespace mmn
