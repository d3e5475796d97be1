#include "mmn/ingest/sequencer.h"

#include <limits>
#include <string>

#include "mmn/data/column_view.h"
#include "mmn/ingest/column_dictionaries.h"
#include "mmn/ingest/csv_splitter.h"
#include "mmn/util/error.h"

namespace mmn::ingest {

Sequencer::Sequencer(const IngestConfig& config, const ParsePlan& plan, std::vector<std::unique_ptr<Dictionary>>& dicts,
                     const std::vector<Input>& inputs, DatasetWriter* writer, IngestReport& report)
    : config_(config), plan_(plan), dicts_(dicts), inputs_(inputs), writer_(writer), report_(report) {
  for (const auto& in : inputs_) next_line_.push_back(in.first_line);
}

void Sequencer::add(ParsedChunk& chunk) {
  if (config_.cancel != nullptr && config_.cancel->load())
    fail("interrupted; nothing was written to {}", config_.out_dir);
  const std::string& path = inputs_[chunk.file].path();
  const std::uint64_t first_line = next_line_[chunk.file];
  next_line_[chunk.file] += chunk.lines;
  InputStats& stats = report_.inputs[chunk.file];
  if (chunk.bad_count > 0) {
    if (config_.on_bad_row == BadRowPolicy::fail) {
      const ChunkBadRow& b = chunk.bad.front();
      throw Error(BadRow{path, first_line + b.line, b.column, b.reason}.message());
    }
    for (const auto& b : chunk.bad)
      if (report_.first_bad_rows.size() < config_.bad_rows_to_report)
        report_.first_bad_rows.push_back({path, first_line + b.line, b.column, b.reason});
    report_.rows_skipped += chunk.bad_count;
    stats.rows_skipped += chunk.bad_count;
    if (report_.rows_skipped > config_.max_bad_rows) {
      std::string list;
      for (const auto& b : report_.first_bad_rows) list += "\n  " + b.message();
      fail("more than {} bad rows (--max-bad-rows {}); the first {}:{}", config_.max_bad_rows, config_.max_bad_rows,
           report_.first_bad_rows.size(), list);
    }
  }
  map_growing_dictionaries(chunk, path, first_line);
  if (writer_ != nullptr) writer_->append(view_of(chunk.block));
  const std::uint64_t rows = chunk.block.rows();
  stats.rows_read += chunk.rows_read;
  stats.rows_written += rows;
  stats.blank_lines += chunk.blank_lines;
}

void Sequencer::map_growing_dictionaries(ParsedChunk& chunk, const std::string& path, std::uint64_t first_line) {
  ColumnBlock& b = chunk.block;
  for (std::size_t i = 0; i < plan_.columns.size(); ++i) {
    const ColumnPlan& c = plan_.columns[i];
    if (c.local < 0) continue;
    const LocalDictionary& local = chunk.local[static_cast<std::size_t>(c.local)];
    Dictionary& global = *dicts_[i];
    const ColumnSpec& spec = *c.spec;
    std::vector<std::uint32_t> remap(local.values.size());
    for (std::size_t k = 0; k < local.values.size(); ++k) {
      const std::int64_t id = global.find_or_add(local.values[k]);
      if (spec.role == Role::categorical) {
        remap[k] = id == Dictionary::kAbsent ? kOutOfVocabularyId : kFirstDictionaryId + static_cast<std::uint32_t>(id);
      } else {
        if (id == Dictionary::kAbsent)
          fail("{}:{}:{}: column '{}' ({}): {} is a value beyond the {} that mmn supports", path,
               first_line + chunk.row_line[local.first_row[k]], i + 1, spec.name, role_name(spec.role),
               printable(local.values[k]), kMaxDomainValues);
        remap[k] = static_cast<std::uint32_t>(id);
      }
    }
    if (spec.role == Role::categorical) {
      auto& ids = b.categorical[c.slot];
      for (std::size_t r = 0; r < ids.size(); ++r)
        ids[r] = local.ids[r] == std::numeric_limits<std::uint32_t>::max() ? kMissingId : remap[local.ids[r]];
    } else {
      auto& ids = spec.role == Role::type ? b.type : b.scenario;
      for (std::size_t r = 0; r < ids.size(); ++r) ids[r] = static_cast<std::uint16_t>(remap[local.ids[r]]);
      const auto n = static_cast<std::uint32_t>(global.size());
      if (writer_ == nullptr) continue;
      if (spec.role == Role::type)
        writer_->set_n_types(n);
      else
        writer_->set_n_scenarios(n);
    }
  }
}

}  // namespace mmn::ingest
