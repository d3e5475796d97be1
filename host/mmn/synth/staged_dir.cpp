#include "mmn/synth/staged_dir.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "mmn/util/error.h"
#include "mmn/util/file_writer.h"

namespace mmn::synth {

namespace fs = std::filesystem;

namespace {

void check_replaceable(const std::string& dir, bool overwrite) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  if (!overwrite) fail("{}: already exists; choose another output or pass --overwrite to replace it", dir);
  if (!fs::is_directory(dir, ec)) fail("{}: exists and is not a directory; refusing to replace it", dir);
  if (fs::exists(fs::path(dir) / kSynthManifestName, ec)) return;
  if (fs::is_empty(dir, ec) && !ec) return;
  fail("{}: exists and is not an mmn synth output (no {}); refusing to replace it", dir, kSynthManifestName);
}

}  // namespace

StagedDirectory::StagedDirectory(std::string dir, bool overwrite) : dir_(std::move(dir)), overwrite_(overwrite) {
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
  if (dir_.empty()) fail("the output directory name is empty");
  check_replaceable(dir_, overwrite_);
  const fs::path parent = fs::path(dir_).parent_path();
  std::error_code ec;
  if (!parent.empty()) {
    fs::create_directories(parent, ec);
    if (ec) fail("{}: cannot create the parent directory {}: {}", dir_, parent.string(), ec.message());
  }
  staging_ = dir_ + ".incomplete-" + std::to_string(::getpid());
  fs::remove_all(staging_, ec);
  if (!fs::create_directory(staging_, ec) || ec)
    fail("{}: cannot create directory: {}", staging_, ec ? ec.message() : "it exists");
}

StagedDirectory::~StagedDirectory() {
  if (!committed_) {
    std::error_code ignored;
    fs::remove_all(staging_, ignored);
  }
}

std::string StagedDirectory::staged(const std::string& name) const { return (fs::path(staging_) / name).string(); }

void StagedDirectory::commit() {
  if (committed_) fail("{}: already committed", dir_);
  check_replaceable(dir_, overwrite_);  // it may have appeared meanwhile
  std::string old_dir;
  std::error_code ec;
  if (fs::exists(dir_, ec)) {
    old_dir = dir_ + ".replaced-" + std::to_string(::getpid());
    fs::remove_all(old_dir, ec);
    if (std::rename(dir_.c_str(), old_dir.c_str()) != 0)
      fail("{}: cannot move the old output aside: {}", dir_, std::strerror(errno));
  }
  if (std::rename(staging_.c_str(), dir_.c_str()) != 0) {
    const int err = errno;
    if (!old_dir.empty()) std::rename(old_dir.c_str(), dir_.c_str());
    fail("{}: cannot rename {} into place: {}", dir_, staging_, std::strerror(err));
  }
  committed_ = true;
  const fs::path parent = fs::path(dir_).parent_path();
  fsync_directory(parent.empty() ? "." : parent.string());
  if (!old_dir.empty()) fs::remove_all(old_dir, ec);
}

}  // namespace mmn::synth
