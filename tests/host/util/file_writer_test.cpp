#include "mmn/util/file_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "mmn/util/error.h"
#include "testing/temp_dir.h"

namespace mmn {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(FileWriter, AtomicWriteReplacesWholeFile) {
  testing::TempDir tmp;
  write_file_atomically(tmp / "f.txt", "first");
  write_file_atomically(tmp / "f.txt", "second version");
  EXPECT_EQ(slurp(tmp / "f.txt"), "second version");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(tmp.str()), std::filesystem::directory_iterator()), 1);
}

TEST(FileWriter, InjectedFullDiskKeepsTheOldFileAndNamesThePath) {
  testing::TempDir tmp;
  write_file_atomically(tmp / "f.txt", "old content");
  set_write_failure_after_bytes(3);
  std::string message;
  try {
    write_file_atomically(tmp / "f.txt", "new content that will not fit");
  } catch (const Error& e) {
    message = e.what();
  }
  set_write_failure_after_bytes(-1);
  EXPECT_NE(message.find("f.txt.tmp-"), std::string::npos) << message;
  EXPECT_NE(message.find("No space left on device"), std::string::npos) << message;
  EXPECT_EQ(slurp(tmp / "f.txt"), "old content");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(tmp.str()), std::filesystem::directory_iterator()), 1);
}

TEST(FileWriter, RefusesToClobberAnExistingFile) {
  testing::TempDir tmp;
  write_file_atomically(tmp / "f.txt", "keep");
  EXPECT_THROW(FileWriter w(tmp / "f.txt"), Error);
  EXPECT_EQ(slurp(tmp / "f.txt"), "keep");
}

}  // namespace
}  // namespace mmn
