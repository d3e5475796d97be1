#pragma once
// Writing files so that a failure is reported with the path and the reason
// (a full disk included) and finished files are durable (fsync) before use.
#include <cstddef>
#include <string>
#include <string_view>

namespace mmn {

class FileWriter {
 public:
  // Creates `path`; fails when it exists already.
  explicit FileWriter(std::string path);
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;
  ~FileWriter();  // closes without syncing; an unfinished file is the caller's to remove

  void write(const void* data, std::size_t bytes);
  void write_zeros(std::size_t bytes);
  std::size_t written() const { return written_; }
  void finish();  // fsync and close

 private:
  std::string path_;
  int fd_ = -1;
  std::size_t written_ = 0;
};

// Writes `content` to `path` through a temporary file, fsync and rename, so
// readers see either the old file or the whole new one.
void write_file_atomically(const std::string& path, std::string_view content);

void fsync_directory(const std::string& dir);

// Test hook for failure injection: after this many more bytes, writes fail as if the
// disk were full. A negative value (the default) disables it.
void set_write_failure_after_bytes(long long bytes);

}  // namespace mmn
