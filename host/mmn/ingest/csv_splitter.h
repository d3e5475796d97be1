#pragma once
// Splitting one line of a CSV/TSV file into fields.
//
// A field that starts with a double quote (when quoting is on) runs to the next
// quote not doubled; "" inside it stands for one quote, and the closing quote must be
// followed by the delimiter or the line end. Quoted fields may not hold line breaks:
// lines are found first, so a quote still open at the end of its line is an error. A
// quote inside an unquoted field is kept as a literal character.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace mmn::ingest {

struct Field {
  std::string_view text;  // without the enclosing quotes
  bool escaped = false;   // holds doubled quotes to collapse (see unescape)
};

enum class SplitError { none, open_quote, text_after_quote };

struct SplitResult {
  SplitError error = SplitError::none;
  std::size_t fields = 0;       // fields found (all of them, even beyond max_store)
  std::size_t error_field = 0;  // 0-based index of the field with the error
};

// The first `delimiter` in [p, end), or end. Eight bytes at a time: fields are short,
// but this loop runs over every byte of the input.
inline const char* find_delimiter(const char* p, const char* end, char delimiter) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHighs = 0x8080808080808080ull;
  const std::uint64_t pattern = kOnes * static_cast<unsigned char>(delimiter);
  while (end - p >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    const std::uint64_t x = word ^ pattern;                // a zero byte where the delimiter is
    const std::uint64_t zero = (x - kOnes) & ~x & kHighs;  // exact for the lowest zero byte
    if (zero != 0) return p + (__builtin_ctzll(zero) >> 3);
    p += 8;
  }
#endif
  while (p != end && *p != delimiter) ++p;
  return p;
}

// Splits `line` (without its line end) into out[0, min(fields, max_store)): fields
// beyond max_store are counted, not stored, so a garbage line with millions of
// delimiters costs no memory.
inline SplitResult split_line(std::string_view line, char delimiter, bool quoting, std::vector<Field>& out,
                              std::size_t max_store) {
  if (out.size() < max_store) out.resize(max_store);
  SplitResult r;
  const char* p = line.data();
  const char* const end = p + line.size();
  for (;;) {
    // Fields are written member by member: building a Field on the stack and copying
    // it stalls on store forwarding, which once cost a third of the parse time.
    const char* start;
    std::size_t length;
    bool escaped = false;
    if (quoting && p != end && *p == '"') {
      start = ++p;
      for (;;) {
        while (p != end && *p != '"') ++p;
        if (p == end) {
          r.error = SplitError::open_quote;
          r.error_field = r.fields;
          return r;
        }
        if (p + 1 != end && p[1] == '"') {
          escaped = true;
          p += 2;
          continue;
        }
        length = static_cast<std::size_t>(p - start);
        ++p;
        break;
      }
      if (p != end && *p != delimiter) {
        r.error = SplitError::text_after_quote;
        r.error_field = r.fields;
        return r;
      }
    } else {
      start = p;
      p = find_delimiter(p, end, delimiter);
      length = static_cast<std::size_t>(p - start);
    }
    if (r.fields < max_store) {
      Field& f = out[r.fields];
      f.text = std::string_view(start, length);
      f.escaped = escaped;
    }
    ++r.fields;
    if (p == end) return r;
    ++p;  // the delimiter
  }
}

// The text of a quoted field with each "" collapsed to ".
std::string unescape(std::string_view text);

// A value quoted for an error message: at most 40 bytes, control bytes, quotes and
// backslashes as \xNN, so binary garbage cannot mangle the terminal.
std::string printable(std::string_view text);

}  // namespace mmn::ingest
