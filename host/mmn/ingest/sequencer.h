#pragma once
// The order-dependent stage of an ingest: chunk by chunk in input order, it turns
// chunk-relative line numbers into file lines, applies the bad-row policy, maps the
// chunk-local dictionaries onto the growing global ones (ids in order of first
// appearance), raises the writer's type and scenario counts and appends the rows.
#include <cstdint>
#include <memory>
#include <vector>

#include "mmn/data/dataset.h"
#include "mmn/ingest/chunk_parser.h"
#include "mmn/ingest/dictionary.h"
#include "mmn/ingest/ingester.h"
#include "mmn/ingest/input_files.h"

namespace mmn::ingest {

class Sequencer {
 public:
  // `writer` is null in a dry run. report.inputs must have one entry per input.
  Sequencer(const IngestConfig& config, const ParsePlan& plan, std::vector<std::unique_ptr<Dictionary>>& dicts,
            const std::vector<Input>& inputs, DatasetWriter* writer, IngestReport& report);

  // Throws mmn::Error for a bad row under policy fail, too many under skip, a type or
  // scenario beyond 65535, a cancel request, or a failed write.
  void add(ParsedChunk& chunk);

 private:
  void map_growing_dictionaries(ParsedChunk& chunk, const std::string& path, std::uint64_t first_line);

  const IngestConfig& config_;
  const ParsePlan& plan_;
  std::vector<std::unique_ptr<Dictionary>>& dicts_;
  const std::vector<Input>& inputs_;
  DatasetWriter* writer_;  // null in a dry run
  IngestReport& report_;
  std::vector<std::uint64_t> next_line_;
};

}  // namespace mmn::ingest
