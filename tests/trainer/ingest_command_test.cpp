// `mmn ingest` end to end: the binary, its exit codes, messages and output.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "host/ingest/compression_util.h"
#include "host/ingest/ingest_test_util.h"
#include "mmn/data/dataset.h"
#include "testing/shell.h"
#include "testing/temp_dir.h"

namespace mmn::ingest {
namespace {

namespace fs = std::filesystem;
using testing::fixture;
using testing::read_all;
using testing::write_file;

using Result = mmn::testing::ShellResult;

Result mmn(const std::string& args) { return mmn::testing::shell(std::string(MMN_BINARY) + " " + args); }

TEST(IngestCommand, CreatesTheOutputsMissingParentFoldersAndReadsGzip) {
  mmn::testing::TempDir tmp;
  // The fixture, gzip-compressed by the gzip tool's library.
  std::ifstream in(fixture("aliccp_small.csv"), std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(in), {}};
  write_file(tmp / "small.csv.gz", testing::gzip_bytes(text));
  const Result r = mmn("ingest --schema " + fixture("aliccp_schema.toml") + " --out " + tmp / "a/b/ds" + " " +
                       tmp / "small.csv.gz");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(Dataset::open(tmp / "a/b/ds").rows(), 7u);
  EXPECT_EQ(Dataset::open(tmp / "a/b/ds").provenance()["inputs"][0]["compression"], "gzip");
  // A file where a parent folder should be: an error naming both.
  write_file(tmp / "file", "x");
  const Result blocked = mmn("ingest --schema " + fixture("aliccp_schema.toml") + " --out " + tmp / "file/ds" + " " +
                             fixture("aliccp_small.csv"));
  EXPECT_EQ(blocked.code, 1);
  EXPECT_NE(blocked.output.find(tmp / "file/ds: cannot create its parent directory " + tmp / "file"),
            std::string::npos)
      << blocked.output;
}

TEST(IngestCommand, IngestsAFileEndToEnd) {
  mmn::testing::TempDir tmp;
  const Result r = mmn("ingest --schema " + fixture("aliccp_schema.toml") + " --out " + tmp / "ds" + " " +
                       fixture("aliccp_small.csv"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("rows read 7, rows written 7, rows skipped 0 (blank lines 1)"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("3 types x 3 scenarios"), std::string::npos) << r.output;
  const Dataset ds = Dataset::open(tmp / "ds");
  EXPECT_EQ(ds.dictionaries().types, (std::vector<std::string>{"buy", "cart", "fav"}));
  EXPECT_EQ(read_all(ds).conv, (std::vector<std::uint8_t>{1, 0, 0, 0, 1, 0, 0}));
  EXPECT_EQ(ds.provenance()["rows_read"], 7);

  // Without --overwrite the data set stays; with it, two inputs append in order.
  Result again = mmn("ingest --schema " + fixture("aliccp_schema.toml") + " --out " + tmp / "ds" + " " +
                     fixture("aliccp_small.csv"));
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.output.find("mmn: error: " + tmp / "ds" + ": already exists"), std::string::npos) << again.output;
  again = mmn("ingest --overwrite --rows-per-shard 5 --schema " + fixture("aliccp_schema.toml") + " --out " +
              tmp / "ds" + " " + fixture("aliccp_small.csv") + " " + fixture("aliccp_small.csv"));
  ASSERT_EQ(again.code, 0) << again.output;
  const Dataset twice = Dataset::open(tmp / "ds");
  EXPECT_EQ(twice.rows(), 14u);
  EXPECT_EQ(twice.shards().size(), 3u);
  EXPECT_EQ(twice.provenance()["inputs"].size(), 2u);
}

TEST(IngestCommand, BadRowsFailOrAreSkippedAndReported) {
  mmn::testing::TempDir tmp;
  std::string text = "sample_id,click,purchase,scenario,conv_type,user_id,brand,title,price,score\n";
  text +=
      "1,1,1,home,buy,u1,b,t,1,1\n1,0,1,home,buy,u1,b,t,1,1\n1,1,0,home,buy,u1,b,t,x,1\n1,1,0,feed,buy,u1,b,t,2,1\n";
  write_file(tmp / "in.csv", text);
  const std::string base = "ingest --schema " + fixture("aliccp_schema.toml") + " --out " + tmp / "ds" + " ";
  Result r = mmn(base + tmp / "in.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("mmn: error: " + tmp / "in.csv" +
                          ":3:3: column 'purchase' (conversion): conversion is 1 "
                          "where click is 0"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(tmp / "ds"));

  r = mmn(base + "--on-bad-row=skip " + tmp / "in.csv");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("mmn: skipped bad row: " + tmp / "in.csv" + ":4:9: column 'price' (numeric): 'x'"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("rows read 4, rows written 2, rows skipped 2"), std::string::npos) << r.output;
  EXPECT_EQ(Dataset::open(tmp / "ds").dictionaries().scenarios, (std::vector<std::string>{"home", "feed"}));

  r = mmn(base + "--overwrite --on-bad-row=skip --max-bad-rows 1 " + tmp / "in.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("mmn: error: more than 1 bad rows"), std::string::npos) << r.output;
  EXPECT_EQ(Dataset::open(tmp / "ds").rows(), 2u);  // the old data set is untouched

  r = mmn(base + "--max-bad-rows 1 " + tmp / "in.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("--max-bad-rows applies only with --on-bad-row=skip"), std::string::npos) << r.output;
  r = mmn(base + "--on-bad-row=ignore " + tmp / "in.csv");
  EXPECT_NE(r.code, 0);
  r = mmn("ingest --schema " + tmp / "nope.toml" + " --out " + tmp / "ds2 " + tmp / "in.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("nope.toml: cannot read the schema file"), std::string::npos) << r.output;
}

TEST(IngestCommand, InterruptLeavesNothingBehind) {
  mmn::testing::TempDir tmp;
  write_file(tmp / "s.toml",
             "[[column]]\nname = \"c\"\nrole = \"click\"\n[[column]]\nname = \"x\"\nrole = \"numeric\"\n"
             "[[column]]\nname = \"h\"\nrole = \"categorical\"\nencoding = \"hash\"\nvocab_size = 100\n");
  std::string text;
  for (int i = 0; i < 3000000; ++i) text += fmt::format("{},{},v{}\n", i % 2, i, i % 977);
  write_file(tmp / "big.csv", text);
  const std::string out = tmp / "ds";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::execl(MMN_BINARY, MMN_BINARY, "ingest", "--threads", "1", "--rows-per-shard", "100000", "--schema",
            (tmp / "s.toml").c_str(), "--out", out.c_str(), (tmp / "big.csv").c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const std::string partial = out + ".incomplete-" + std::to_string(pid);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!fs::exists(partial) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 0) GTEST_SKIP() << "the ingest finished before the interrupt";
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(partial));
  EXPECT_NE(testing::error_of([&] { Dataset::open(out); }).find("does not exist"), std::string::npos);
}

}  // namespace
}  // namespace mmn::ingest
