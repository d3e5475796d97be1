// Corruption: flipped or truncated bytes in a shard or a checkpoint are reported with the
// file and the problem; a resume falls back to the previous good checkpoint and says so.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "mmn/data/binary_codec.h"
#include "mmn/data/dataset.h"
#include "mmn/data/shard_format.h"
#include "mmn/data/shard_layout.h"
#include "mmn/synth/synthesize.h"
#include "mmn/train/checkpoint.h"
#include "mmn/train/trainer.h"
#include "mmn/util/error.h"
#include "mmn/util/thread_pool.h"
#include "testing/error_of.h"
#include "testing/temp_dir.h"
#include "testing/tiny_data.h"

namespace mmn {
namespace {

namespace fs = std::filesystem;
using testing::error_of;

std::vector<char> bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const std::string& path, const std::vector<char>& b) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(b.data(), static_cast<std::streamsize>(b.size()));
}

std::string make_data(const testing::TempDir& tmp, std::uint64_t rows) {
  return testing::make_tiny_data(tmp, rows, 21);
}

// Which bytes of a shard hold something (header, metadata, column values): the rest is
// the zero padding that aligns each column to 64 bytes, which no reader looks at.
std::vector<bool> informative_bytes(const std::vector<char>& file) {
  std::vector<bool> used(file.size(), false);
  shard::FileHeader h;
  std::memcpy(&h, file.data(), sizeof h);
  const std::size_t meta_end = sizeof h + h.metadata_bytes;
  std::fill(used.begin(), used.begin() + static_cast<std::ptrdiff_t>(meta_end), true);
  ByteDecoder in(reinterpret_cast<const std::uint8_t*>(file.data()) + sizeof h, h.metadata_bytes, "shard");
  const Schema schema = decode_schema(in);
  for (std::size_t c = 0; c < shard::columns_of(schema).size(); ++c) {
    shard::ColumnEntry e;
    in.raw(&e, sizeof e, "column");
    std::fill(used.begin() + static_cast<std::ptrdiff_t>(e.offset),
              used.begin() + static_cast<std::ptrdiff_t>(e.offset + e.bytes), true);
  }
  return used;
}

TEST(Corruption, FlippedOrTruncatedShardBytesAreReportedWithTheFile) {
  testing::TempDir tmp;
  const std::string data = make_data(tmp, 3000) + "/test";
  std::string shard;
  for (const auto& e : fs::directory_iterator(data))
    if (e.path().extension() == ".mmns") shard = e.path().string();
  ASSERT_FALSE(shard.empty());
  const std::vector<char> bytes = bytes_of(shard);
  const std::vector<bool> used = informative_bytes(bytes);
  // Every byte of the header and the start of the metadata, then about 400 bytes spread over the rest.
  const std::size_t stride = std::max<std::size_t>(1, bytes.size() / 400);
  std::size_t checked = 0;
  for (std::size_t at = 0; at < bytes.size(); at += at < 512 ? 1 : stride) {
    if (!used[at]) continue;
    std::vector<char> flipped = bytes;
    flipped[at] = static_cast<char>(flipped[at] ^ (1 << (at % 8)));
    write_bytes(shard, flipped);
    const std::string message = error_of([&] { Dataset::open(data, Verify::full); });
    ASSERT_NE(message.find(shard), std::string::npos) << "byte " << at << " flipped: '" << message << "'";
    ++checked;
  }
  EXPECT_GE(checked, std::min<std::size_t>(bytes.size() / 2, 700)) << bytes.size() << " bytes";
  for (const std::size_t keep : {std::size_t{0}, std::size_t{7}, std::size_t{100}, bytes.size() / 2, bytes.size() - 1}) {
    write_bytes(shard, std::vector<char>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(keep)));
    const std::string message = error_of([&] { Dataset::open(data, Verify::full); });
    EXPECT_NE(message.find(shard), std::string::npos) << "truncated to " << keep << ": '" << message << "'";
  }
  write_bytes(shard, bytes);
  EXPECT_EQ(error_of([&] { Dataset::open(data, Verify::full); }), "");
}

TrainConfig small_run(const std::string& data, const std::string& dir) {
  TrainConfig c;
  c.data.train = data + "/train";
  c.model.embedding_dim = 4;
  c.model.ctr_hidden = {8};
  c.model.cvr_hidden = {8};
  c.train.batch_size = 128;
  c.train.checkpoint_every = 5;
  c.train.keep_checkpoints = 3;
  c.run.dir = dir;
  c.run.plots = false;
  return c;
}

TEST(Corruption, ResumeFallsBackToThePreviousGoodCheckpointAndSaysSo) {
  testing::TempDir tmp;
  const std::string data = make_data(tmp, 6000);
  TrainConfig straight = small_run(data, tmp / "straight");
  straight.train.max_steps = 20;
  const TrainOutcome a = train(straight, {false, false, true});

  TrainConfig c = small_run(data, tmp / "run");
  c.train.max_steps = 15;
  train(c, {false, false, true});
  const auto kept = CheckpointDirectory(tmp / "run/checkpoints", 3).list();
  ASSERT_EQ(kept.size(), 3u);  // steps 15, 10, 5
  std::vector<char> newest = bytes_of(kept[0]);
  newest[newest.size() / 2] ^= 0x10;
  write_bytes(kept[0], newest);

  c.train.max_steps = 20;
  ::testing::internal::CaptureStderr();
  const TrainOutcome b = train(c, {true, false, true});
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("skipping unreadable checkpoint: " + kept[0]), std::string::npos) << err;
  EXPECT_NE(err.find("is corrupt"), std::string::npos) << err;
  EXPECT_NE(err.find("resuming from the previous good one, " + kept[1] + " (step 10)"), std::string::npos) << err;
  EXPECT_EQ(b.steps, 20u);
  EXPECT_EQ(bytes_of(a.last_checkpoint), bytes_of(b.last_checkpoint));  // same trajectory from step 10

  // Every checkpoint bad: nothing to resume from is an error, not a silent fresh start.
  for (const auto& path : CheckpointDirectory(tmp / "run/checkpoints", 3).list()) fs::resize_file(path, 20);
  c.train.max_steps = 25;
  ::testing::internal::CaptureStderr();
  const std::string message = error_of([&] { train(c, {true, false, true}); });
  ::testing::internal::GetCapturedStderr();
  EXPECT_NE(message.find("none of its 3 checkpoints could be read"), std::string::npos) << message;
}

}  // namespace
}  // namespace mmn
