#include "mmn/ingest/chunk_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "mmn/ingest/csv_splitter.h"
#include "mmn/ingest/value_parsers.h"
#include "mmn/util/checksum.h"

namespace mmn::ingest {

namespace {

// A dictionary-encoded categorical row whose field is empty: id 0, not a value.
constexpr std::uint32_t kLocalMissing = std::numeric_limits<std::uint32_t>::max();
constexpr const char* kNotUtf8 = "is not valid UTF-8 (dictionary values are saved as text)";

class ChunkParser {
 public:
  ChunkParser(const ParsePlan& plan, ParsedChunk& out)
      : plan_(plan), schema_(*plan.schema), out_(out), n_cols_(schema_.columns.size()), pending_(n_cols_) {
    fields_.resize(n_cols_);
    const int click = plan.click, conv = plan.conversion;
    label_check_at_ = conv < 0 ? std::size_t{SIZE_MAX} : static_cast<std::size_t>(std::max(click, conv));
  }

  void run(const ChunkInput& in) {
    const auto max_rows = static_cast<std::size_t>(std::count(in.begin, in.end, '\n')) + 1;
    out_.block.resize(plan_.data_schema, max_rows);
    out_.row_line.reserve(max_rows);
    out_.local.resize(plan_.local_dictionaries);
    for (auto& l : out_.local) l.ids.reserve(max_rows);
    std::uint64_t line = 0;
    const char* p = in.begin;
    while (p < in.end) {
      const auto* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(in.end - p)));
      const char* line_end = nl != nullptr ? nl : in.end;
      std::string_view text(p, static_cast<std::size_t>(line_end - p));
      p = nl != nullptr ? nl + 1 : in.end;
      const std::uint64_t this_line = line++;
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      if (text.empty()) {
        ++out_.blank_lines;
        continue;
      }
      ++out_.rows_read;
      if (!parse_row(text, this_line) && plan_.stop_at_first_bad_row) break;
    }
    out_.lines = line;
    out_.block.resize(plan_.data_schema, rows_);
  }

 private:
  bool bad(std::uint64_t line, std::size_t field, std::string reason) {
    ++out_.bad_count;
    if (out_.bad.size() < plan_.bad_rows_to_keep)
      out_.bad.push_back({line, static_cast<std::uint32_t>(field + 1), std::move(reason)});
    return false;
  }

  std::string column(std::size_t i) const {
    const ColumnSpec& c = schema_.columns[i];
    return fmt::format("column '{}' ({})", c.name, role_name(c.role));
  }

  bool bad_value(std::uint64_t line, std::size_t i, std::string_view value, const char* why) {
    return bad(line, i, fmt::format("{}: {} {}", column(i), printable(value), why));
  }

  bool parse_row(std::string_view text, std::uint64_t line) {
    const SplitResult split = split_line(text, schema_.delimiter, schema_.quoting, fields_, n_cols_);
    if (!fields_fit(split, line)) return false;
    const std::size_t r = rows_;
    for (std::size_t i = 0; i < n_cols_; ++i) {
      std::string_view v = fields_[i].text;
      if (fields_[i].escaped) {
        if (plan_.columns[i].local >= 0) {
          out_.unescaped.push_back(unescape(v));
          v = out_.unescaped.back();
        } else {
          scratch_ = unescape(v);
          v = scratch_;
        }
      }
      if (!parse_field(i, v, line, r)) return false;
      const ColumnBlock& b = out_.block;
      if (i == label_check_at_ && b.conv[r] == 1 && b.click[r] == 0)
        return bad(
            line, static_cast<std::size_t>(plan_.conversion),
            fmt::format("{}: conversion is 1 where click is 0", column(static_cast<std::size_t>(plan_.conversion))));
    }
    // The row is good: only now do its values enter the chunk's dictionaries, so a
    // skipped row never claims an id.
    for (std::size_t i = 0; i < n_cols_; ++i) {
      const ColumnPlan& c = plan_.columns[i];
      if (c.local < 0) continue;
      LocalDictionary& d = out_.local[static_cast<std::size_t>(c.local)];
      if (pending_[i].empty())
        d.ids.push_back(kLocalMissing);
      else
        d.add(pending_[i], static_cast<std::uint32_t>(r));
    }
    out_.row_line.push_back(static_cast<std::uint32_t>(line));
    ++rows_;
    return true;
  }

  // False (the row recorded as bad) for a quoting error or a wrong number of fields.
  bool fields_fit(const SplitResult& split, std::uint64_t line) {
    if (split.error != SplitError::none) {
      const std::string where =
          split.error_field < n_cols_ ? column(split.error_field) : fmt::format("field {}", split.error_field + 1);
      return bad(line, split.error_field,
                 split.error == SplitError::open_quote
                     ? fmt::format("{}: a quote is still open at the end of the line (quoted fields may not hold "
                                   "line breaks)",
                                   where)
                     : fmt::format("{}: unexpected text after a closing quote", where));
    }
    if (split.fields == n_cols_) return true;
    if (split.fields < n_cols_)
      return bad(line, split.fields,
                 fmt::format("expected {} fields, found {} (column '{}' is missing)", n_cols_, split.fields,
                             schema_.columns[split.fields].name));
    return bad(line, n_cols_,
               fmt::format("expected {} fields, found {} (the schema has {} columns)", n_cols_, split.fields, n_cols_));
  }

  // Column i's value `v` of row r into the block (or, for a column whose dictionary is built as
  // the data is read, into pending_); false (the row recorded as bad) for a value it cannot take.
  bool parse_field(std::size_t i, std::string_view v, std::uint64_t line, std::size_t r) {
    const ColumnPlan& c = plan_.columns[i];
    const ColumnSpec& spec = *c.spec;
    ColumnBlock& b = out_.block;
    switch (spec.role) {
      case Role::click:
      case Role::conversion: {
        const int label = parse_label(v);
        if (label < 0) return bad_value(line, i, v, "is not a label (0 or 1)");
        (spec.role == Role::click ? b.click : b.conv)[r] = static_cast<std::uint8_t>(label);
        return true;
      }
      case Role::type:
      case Role::scenario: {
        if (v.empty()) return bad(line, i, fmt::format("{}: the value is empty", column(i)));
        if (c.fixed == nullptr) {
          if (!is_valid_utf8(v)) return bad_value(line, i, v, kNotUtf8);
          pending_[i] = v;
          return true;
        }
        const std::int64_t id = c.fixed->find(v);
        if (id == Dictionary::kAbsent)
          return bad_value(line, i, v, "is not in the fixed dictionary (values in the schema, or --dictionaries-from)");
        (spec.role == Role::type ? b.type : b.scenario)[r] = static_cast<std::uint16_t>(id);
        return true;
      }
      case Role::categorical: {
        std::uint32_t& id = b.categorical[c.slot][r];
        if (v.empty()) {
          id = kMissingId;
          pending_[i] = v;
        } else if (spec.encoding == Encoding::hash) {
          id = hashed_id(stable_hash64(v, spec.seed), spec.vocab_size);
        } else if (c.fixed != nullptr) {
          const std::int64_t k = c.fixed->find(v);
          id = k == Dictionary::kAbsent ? kOutOfVocabularyId : kFirstDictionaryId + static_cast<std::uint32_t>(k);
        } else {
          if (!is_valid_utf8(v)) return bad_value(line, i, v, kNotUtf8);
          pending_[i] = v;
        }
        return true;
      }
      case Role::numeric:
        if (!parse_numeric_field(spec, v, b.dense[c.slot][r], why_)) return bad_value(line, i, v, why_.c_str());
        return true;
      case Role::p_ctr:
      case Role::p_cvr:
        if (!parse_probability(v, (spec.role == Role::p_ctr ? b.p_ctr : b.p_cvr)[r]))
          return bad_value(line, i, v, "is not a probability in [0, 1]");
        return true;
      case Role::ignore: return true;
    }
    return true;
  }

  const ParsePlan& plan_;
  const IngestSchema& schema_;
  ParsedChunk& out_;
  const std::size_t n_cols_;
  std::size_t label_check_at_;
  std::vector<Field> fields_;
  std::vector<std::string_view> pending_;  // per column: the value a growing dictionary maps later
  std::string scratch_;
  std::string why_;
  std::size_t rows_ = 0;
};

}  // namespace

ParsePlan make_parse_plan(const IngestSchema& schema, const std::vector<const Dictionary*>& fixed) {
  ParsePlan plan;
  plan.schema = &schema;
  plan.data_schema = schema.data_schema();
  plan.click = schema.find(Role::click);
  plan.conversion = schema.find(Role::conversion);
  std::uint32_t n_cat = 0, n_dense = 0;
  for (std::size_t i = 0; i < schema.columns.size(); ++i) {
    const ColumnSpec& spec = schema.columns[i];
    ColumnPlan c;
    c.spec = &spec;
    c.fixed = i < fixed.size() ? fixed[i] : nullptr;
    if (spec.role == Role::categorical) c.slot = n_cat++;
    if (spec.role == Role::numeric) c.slot = n_dense++;
    const bool dictionary = spec.role == Role::type || spec.role == Role::scenario ||
                            (spec.role == Role::categorical && spec.encoding == Encoding::dictionary);
    if (dictionary && c.fixed == nullptr) c.local = static_cast<int>(plan.local_dictionaries++);
    plan.columns.push_back(c);
  }
  return plan;
}

void ParsedChunk::reset(std::size_t file_index) {
  file = file_index;
  lines = blank_lines = rows_read = bad_count = 0;
  block.clear();
  row_line.clear();
  for (auto& l : local) {
    l.values.clear();
    l.first_row.clear();
    l.ids.clear();
    l.index.clear();
  }
  unescaped.clear();
  bad.clear();
}

void parse_chunk(const ParsePlan& plan, const ChunkInput& input, ParsedChunk& out) {
  out.reset(input.file);
  ChunkParser(plan, out).run(input);
}

}  // namespace mmn::ingest
