#include "mmn/util/file_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "mmn/util/error.h"

namespace mmn {
namespace {

std::atomic<long long> g_fail_after{-1};

// Returns how many of `bytes` may still be written before the injected failure.
std::size_t allowed_by_injection(std::size_t bytes) {
  long long left = g_fail_after.load();
  if (left < 0) return bytes;
  const auto allowed = static_cast<std::size_t>(left) < bytes ? static_cast<std::size_t>(left) : bytes;
  g_fail_after.fetch_sub(static_cast<long long>(allowed));
  return allowed;
}

}  // namespace

void set_write_failure_after_bytes(long long bytes) { g_fail_after.store(bytes); }

FileWriter::FileWriter(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) fail("{}: cannot create: {}", path_, std::strerror(errno));
}

FileWriter::~FileWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void FileWriter::write(const void* data, std::size_t bytes) {
  const auto* p = static_cast<const char*>(data);
  while (bytes > 0) {
    const std::size_t chunk = bytes < (std::size_t{1} << 30) ? bytes : (std::size_t{1} << 30);
    const std::size_t allowed = allowed_by_injection(chunk);
    if (allowed == 0) fail("{}: write failed after {} bytes: {}", path_, written_, std::strerror(ENOSPC));
    const ssize_t n = ::write(fd_, p, allowed);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("{}: write failed after {} bytes: {}", path_, written_, std::strerror(errno));
    }
    p += n;
    bytes -= static_cast<std::size_t>(n);
    written_ += static_cast<std::size_t>(n);
  }
}

void FileWriter::write_zeros(std::size_t bytes) {
  static const std::vector<char> zeros(4096, 0);
  while (bytes > 0) {
    const std::size_t n = bytes < zeros.size() ? bytes : zeros.size();
    write(zeros.data(), n);
    bytes -= n;
  }
}

void FileWriter::finish() {
  if (::fsync(fd_) != 0) fail("{}: fsync failed: {}", path_, std::strerror(errno));
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("{}: close failed: {}", path_, std::strerror(errno));
}

void write_file_atomically(const std::string& path, std::string_view content) {
  const std::string temp = path + ".tmp-" + std::to_string(::getpid());
  std::error_code ignored;
  std::filesystem::remove(temp, ignored);
  try {
    FileWriter out(temp);
    out.write(content.data(), content.size());
    out.finish();
  } catch (...) {
    std::filesystem::remove(temp, ignored);
    throw;
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::filesystem::remove(temp, ignored);
    fail("{}: cannot rename {} into place: {}", path, temp, std::strerror(err));
  }
  const auto parent = std::filesystem::path(path).parent_path();
  fsync_directory(parent.empty() ? "." : parent.string());
}

void fsync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("{}: cannot open directory to sync: {}", dir, std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) fail("{}: fsync of directory failed: {}", dir, std::strerror(err));
}

}  // namespace mmn
