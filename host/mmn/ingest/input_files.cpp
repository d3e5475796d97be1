#include "mmn/ingest/input_files.h"

#include <fmt/format.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <string_view>

#include "mmn/ingest/csv_splitter.h"
#include "mmn/util/error.h"

namespace mmn::ingest {

namespace {

// The longest line mmn reads from a compressed file before giving up on it.
constexpr std::size_t kMaxLineBytes = std::size_t{256} << 20;

// The BOM and header line at the start of `text` (the whole file, or text that holds
// the first '\n'): checks the header against the schema and returns the bytes they take.
std::size_t check_start(const std::string& path, const IngestSchema& schema, std::string_view text) {
  std::size_t begin = text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  if (!schema.header) return begin;
  if (begin == text.size())
    fail("{}: the file is empty, but the schema {} says it starts with a header line", path, schema.path);
  const std::size_t nl = text.find('\n', begin);
  const std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
  std::string_view line = text.substr(begin, (nl == std::string_view::npos ? text.size() : nl) - begin);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
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
  return end;
}

// Decompressed text up to and including its first '\n' (or all of it), at least 64 KiB.
std::string first_text(Decompressor& stream, const std::string& path) {
  std::string text;
  std::size_t filled = 0;
  for (;;) {
    text.resize(filled + (std::size_t{64} << 10));
    const std::size_t got = stream.read(text.data() + filled, text.size() - filled);
    const bool has_line_end = std::memchr(text.data() + filled, '\n', got) != nullptr;
    filled += got;
    if (got == 0 || has_line_end) break;
    if (filled > kMaxLineBytes) fail("{}: no line end in the first {} bytes of text: not a CSV/TSV file?", path, filled);
  }
  text.resize(filled);
  return text;
}

}  // namespace

Input open_input(const std::string& path, const IngestSchema& schema) {
  Input in;
  in.file = MappedFile(path);
  const MappedFile& f = in.file;
  if (f.size() > 0) ::madvise(const_cast<std::uint8_t*>(f.data()), f.size(), MADV_SEQUENTIAL);
  in.compression = detect_compression(path, f.data(), f.size());
  if (in.compression == Compression::none) {
    in.data_begin = check_start(path, schema, {reinterpret_cast<const char*>(f.data()), f.size()});
  } else {
    in.stream = Decompressor::open(in.compression, path, f.data(), f.size());
    in.text_head = first_text(*in.stream, path);
    in.text_head.erase(0, check_start(path, schema, in.text_head));
  }
  if (schema.header) in.first_line = 2;
  return in;
}

ChunkCursor::ChunkCursor(std::vector<Input>& inputs, std::size_t chunk_bytes, std::size_t batch_bytes)
    : inputs_(inputs),
      chunk_bytes_(std::max<std::size_t>(chunk_bytes, 1)),
      batch_bytes_(std::max(batch_bytes, chunk_bytes_)),
      text_done_(inputs.size(), false),
      carry_(inputs.size()) {
  for (std::size_t i = 0; i < inputs_.size(); ++i) carry_[i] = std::move(inputs_[i].text_head);
  if (!inputs_.empty()) pos_ = inputs_[0].data_begin;
}

std::size_t ChunkCursor::next_compressed_file() const {
  for (std::size_t f = file_; f < inputs_.size(); ++f)
    if (inputs_[f].compression != Compression::none && !text_done_[f]) return f;
  return inputs_.size();
}

bool ChunkCursor::wants_fill() const {
  for (const Buffer& b : buffers_)
    if (b.ready) return false;
  return next_compressed_file() < inputs_.size();
}

void ChunkCursor::fill() {
  const std::size_t f = next_compressed_file();
  if (f == inputs_.size()) return;
  Buffer* target = nullptr;
  // Live: the buffers of the batch being parsed (batches_) and the one being sequenced (batches_ - 1).
  for (Buffer& b : buffers_)
    if (!b.ready && (b.last_batch == 0 || b.last_batch + 1 < batches_)) {
      target = &b;
      break;
    }
  if (target == nullptr) return;
  std::string& text = target->text;
  text.assign(carry_[f]);
  carry_[f].clear();
  std::size_t filled = text.size();
  std::size_t line_start = 0;  // past the last '\n' seen
  bool ended = false;
  // Whole lines: past batch_bytes_, reading goes on to the next line end.
  for (;;) {
    const std::size_t want =
        filled < batch_bytes_ ? batch_bytes_ : filled + std::max<std::size_t>(batch_bytes_ / 4, 4096);
    if (text.size() < want) text.resize(want);
    const std::size_t got = inputs_[f].stream->read(text.data() + filled, text.size() - filled);
    const auto* nl = static_cast<const char*>(memrchr(text.data() + filled, '\n', got));
    filled += got;
    text_bytes_ += got;
    if (got == 0) {
      ended = true;
      break;
    }
    if (nl != nullptr) line_start = static_cast<std::size_t>(nl - text.data()) + 1;
    if (filled >= batch_bytes_ && nl != nullptr) break;
    if (filled - line_start > kMaxLineBytes)
      fail("{}: a line of more than {} MiB (after {} bytes of text): not a CSV/TSV file?", inputs_[f].path(),
           kMaxLineBytes >> 20, text_bytes_);
  }
  text.resize(filled);
  if (!ended) {
    const std::size_t last_nl = text.rfind('\n');
    carry_[f].assign(text, last_nl + 1, std::string::npos);
    text.resize(last_nl + 1);
  }
  target->file = f;
  target->cut = 0;
  target->ready = true;
  target->last_of_file = ended;
  text_done_[f] = ended;
}

std::vector<ChunkInput> ChunkCursor::next_batch(std::size_t chunks) {
  const std::uint64_t batch = batches_ + 1;  // counts only batches that take chunks
  std::vector<ChunkInput> out;
  while (out.size() < chunks && file_ < inputs_.size()) {
    const Input& in = inputs_[file_];
    if (in.compression == Compression::none) {
      const MappedFile& f = in.file;
      if (pos_ >= f.size()) {
        if (++file_ < inputs_.size()) pos_ = inputs_[file_].data_begin;
        continue;
      }
      const char* base = reinterpret_cast<const char*>(f.data());
      std::size_t end = f.size();
      if (f.size() - pos_ > chunk_bytes_) {
        const std::size_t from = pos_ + chunk_bytes_ - 1;
        const auto* nl = static_cast<const char*>(std::memchr(base + from, '\n', f.size() - from));
        if (nl != nullptr) end = static_cast<std::size_t>(nl - base) + 1;
      }
      out.push_back({file_, base + pos_, base + end});
      pos_ = end;
      continue;
    }
    Buffer* ready = nullptr;
    for (Buffer& b : buffers_)
      if (b.ready && b.file == file_) ready = &b;
    if (ready == nullptr) {
      if (text_done_[file_]) {  // every buffer of this file is cut
        if (++file_ < inputs_.size()) pos_ = inputs_[file_].data_begin;
        continue;
      }
      break;  // its next text is not decompressed yet
    }
    const std::string& text = ready->text;
    std::size_t end = text.size();
    if (text.size() - ready->cut > chunk_bytes_) {
      const std::size_t nl = text.find('\n', ready->cut + chunk_bytes_ - 1);
      if (nl != std::string::npos) end = nl + 1;
    }
    if (end > ready->cut) out.push_back({file_, text.data() + ready->cut, text.data() + end});
    ready->cut = end;
    ready->last_batch = batch;
    if (ready->cut == text.size()) {
      ready->ready = false;
      if (!ready->last_of_file) break;  // its next text is not decompressed yet
    }
  }
  if (!out.empty()) batches_ = batch;
  return out;
}

}  // namespace mmn::ingest
