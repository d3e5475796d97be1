#include "mmn/ingest/input_files.h"

#include <fmt/format.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstring>

#include "mmn/ingest/csv_splitter.h"
#include "mmn/util/error.h"

namespace mmn::ingest {

namespace {

std::string_view first_line_of(const MappedFile& f, std::size_t from, std::size_t& line_end) {
  const char* base = reinterpret_cast<const char*>(f.data());
  const auto* nl = static_cast<const char*>(std::memchr(base + from, '\n', f.size() - from));
  line_end = nl != nullptr ? static_cast<std::size_t>(nl - base) + 1 : f.size();
  std::string_view line(base + from, (nl != nullptr ? static_cast<std::size_t>(nl - base) : f.size()) - from);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

Input open_input(const std::string& path, const IngestSchema& schema) {
  Input in{MappedFile(path)};
  const MappedFile& f = in.file;
  if (f.size() > 0) ::madvise(const_cast<std::uint8_t*>(f.data()), f.size(), MADV_SEQUENTIAL);
  if (f.size() >= 3 && std::memcmp(f.data(), "\xEF\xBB\xBF", 3) == 0) in.data_begin = 3;
  if (!schema.header) return in;
  if (in.data_begin == f.size())
    fail("{}: the file is empty, but the schema {} says it starts with a header line", path, schema.path);
  std::size_t end = 0;
  const std::string_view line = first_line_of(f, in.data_begin, end);
  if (line.empty()) fail("{}:1: the first line is blank, but the schema {} says it is the header", path, schema.path);
  std::vector<Field> fields;
  const std::size_t n = schema.columns.size();
  const SplitResult split = split_line(line, schema.delimiter, schema.quoting, fields, n);
  if (split.error != SplitError::none)
    fail("{}:1:{}: the header is not valid: {}", path, split.error_field + 1,
         split.error == SplitError::open_quote ? "a quote is still open at the end of the line"
                                               : "unexpected text after a closing quote");
  for (std::size_t i = 0; i < std::min(n, split.fields); ++i) {
    const std::string name = fields[i].escaped ? unescape(fields[i].text) : std::string(fields[i].text);
    if (name != schema.columns[i].name)
      fail("{}:1:{}: header column {} is {}, but the schema {} names column {} '{}'", path, i + 1, i + 1,
           printable(name), schema.path, i + 1, schema.columns[i].name);
  }
  if (split.fields != n)
    fail("{}:1: the header has {} columns, the schema {} has {}{}", path, split.fields, schema.path, n,
         split.fields < n ? fmt::format(" (the header lacks '{}')", schema.columns[split.fields].name) : "");
  in.data_begin = end;
  in.first_line = 2;
  return in;
}

ChunkCursor::ChunkCursor(const std::vector<Input>& inputs, std::size_t chunk_bytes)
    : inputs_(inputs), chunk_bytes_(std::max<std::size_t>(chunk_bytes, 1)) {
  if (!inputs_.empty()) pos_ = inputs_[0].data_begin;
}

std::vector<ChunkInput> ChunkCursor::next_batch(std::size_t chunks) {
  std::vector<ChunkInput> out;
  while (out.size() < chunks) {
    while (file_ < inputs_.size() && pos_ >= inputs_[file_].file.size())
      if (++file_ < inputs_.size()) pos_ = inputs_[file_].data_begin;
    if (file_ >= inputs_.size()) break;
    const MappedFile& f = inputs_[file_].file;
    const char* base = reinterpret_cast<const char*>(f.data());
    std::size_t end = f.size();
    if (f.size() - pos_ > chunk_bytes_) {
      const std::size_t from = pos_ + chunk_bytes_ - 1;
      const auto* nl = static_cast<const char*>(std::memchr(base + from, '\n', f.size() - from));
      if (nl != nullptr) end = static_cast<std::size_t>(nl - base) + 1;
    }
    out.push_back({file_, base + pos_, base + end});
    pos_ = end;
  }
  return out;
}

}  // namespace mmn::ingest
