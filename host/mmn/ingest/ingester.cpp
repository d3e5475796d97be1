#include "mmn/ingest/ingester.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "mmn/data/dataset.h"
#include "mmn/ingest/chunk_parser.h"
#include "mmn/ingest/column_dictionaries.h"
#include "mmn/ingest/input_files.h"
#include "mmn/ingest/sequencer.h"
#include "mmn/ingest/value_parsers.h"
#include "mmn/util/error.h"
#include "mmn/util/thread_pool.h"

namespace mmn::ingest {

std::string BadRow::message() const { return fmt::format("{}:{}:{}: {}", file, line, column, reason); }

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json column_json(const ColumnSpec& c) {
  json j = {{"name", c.name}, {"role", role_name(c.role)}};
  if (c.role == Role::categorical) {
    j["encoding"] = c.encoding == Encoding::hash ? "hash" : "dictionary";
    j["vocab_size"] = c.vocab_size;
    if (c.encoding == Encoding::hash) {
      j["seed"] = c.seed;
      j["hash"] = "1 + floor(xxh3_64(text, seed) * (vocab_size - 1) / 2^64); 0 = missing";
    } else {
      j["max_size"] = c.max_size;
      j["ids"] = "0 = missing, 1 = out of vocabulary, 2 + i = dictionary value i";
    }
  }
  if (c.role == Role::numeric) {
    j["transform"] = transform_name(c.transform);
    j["default"] = c.default_value;
  }
  return j;
}

// The absolute path, as JSON text: a path that is not UTF-8 has its other bytes as '?'.
std::string absolute(const std::string& path) {
  std::error_code ec;
  const fs::path p = fs::absolute(path, ec);
  std::string s = ec ? path : p.lexically_normal().string();
  if (!is_valid_utf8(s))
    for (auto& c : s)
      if (static_cast<unsigned char>(c) >= 0x80) c = '?';
  return s;
}

std::vector<Input> open_inputs(const IngestSchema& schema, const std::vector<std::string>& paths,
                               IngestReport& report) {
  std::vector<Input> inputs;
  for (const auto& path : paths) {
    inputs.push_back(open_input(path, schema));
    InputStats stats;
    stats.path = path;
    stats.bytes = inputs.back().file.size();
    stats.compression = to_string(inputs.back().compression);
    report.inputs.push_back(stats);
    report.bytes += stats.bytes;
  }
  return inputs;
}

// The data set's schema: the parse plan's, with the type and scenario counts of fixed dictionaries.
Schema output_schema(const IngestSchema& schema, const ParsePlan& plan,
                     const std::vector<std::unique_ptr<Dictionary>>& dicts) {
  Schema out = plan.data_schema;
  const int type_col = schema.find(Role::type);
  const int scenario_col = schema.find(Role::scenario);
  if (type_col >= 0 && dicts[type_col]->fixed()) out.n_types = static_cast<std::uint32_t>(dicts[type_col]->size());
  if (scenario_col >= 0 && dicts[scenario_col]->fixed())
    out.n_scenarios = static_cast<std::uint32_t>(dicts[scenario_col]->size());
  return out;
}

// Parses every chunk of the inputs on the pool, `batch` chunks at a time, and hands the parsed
// chunks to the sequencer in order.
void parse_all(const IngestConfig& config, const ParsePlan& plan, std::size_t batch, ChunkCursor& cursor,
               Sequencer& sequencer, ThreadPool& pool) {
  // Batch k+1 is parsed while batch k goes through the sequencer (task 0). The two
  // sets of chunks swap roles and keep their buffers: no page faults for new memory.
  std::vector<ParsedChunk> set_a(batch), set_b(batch);
  std::vector<ParsedChunk>* parsed = &set_a;
  std::vector<ParsedChunk>* previous = &set_b;
  std::size_t previous_count = 0;
  for (;;) {
    if (config.cancel != nullptr && config.cancel->load())
      fail("interrupted; nothing was written to {}", config.out_dir);
    std::vector<ChunkInput> next = cursor.next_batch(batch);
    if (next.empty() && cursor.wants_fill()) {  // nothing decompressed ahead (the first piece)
      cursor.fill();
      next = cursor.next_batch(batch);
    }
    if (next.empty() && previous_count == 0) break;
    // Besides parsing, the two serial tasks first: sequencing the previous batch and
    // decompressing the text of the next.
    const bool sequence = previous_count != 0, fill = cursor.wants_fill();
    const std::size_t offset = (sequence ? 1 : 0) + (fill ? 1 : 0);
    pool.run(next.size() + offset, [&](std::size_t task) {
      if (task >= offset) {
        parse_chunk(plan, next[task - offset], (*parsed)[task - offset]);
      } else if (sequence && task == 0) {
        for (std::size_t k = 0; k < previous_count; ++k) sequencer.add((*previous)[k]);
      } else {
        cursor.fill();
      }
    });
    std::swap(parsed, previous);
    previous_count = next.size();
  }
}

// Sums the per-input counts into the report; throws when no row is left to write.
void total_rows(const IngestSchema& schema, const std::vector<Input>& inputs, IngestReport& report) {
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    InputStats& stats = report.inputs[i];
    stats.text_bytes = inputs[i].stream ? inputs[i].stream->bytes_produced() : stats.bytes;
    report.text_bytes += stats.text_bytes;
  }
  for (const auto& s : report.inputs) {
    report.rows_read += s.rows_read;
    report.rows_written += s.rows_written;
    report.blank_lines += s.blank_lines;
  }
  if (report.rows_written != 0) return;
  if (report.rows_read == 0)
    fail("no rows to write: the input{} hold{} no data rows{}", inputs.size() > 1 ? "s" : "",
         inputs.size() > 1 ? "" : "s", schema.header ? " (only headers and blank lines)" : "");
  fail("no rows to write: all {} rows read were bad and skipped; the first: {}", report.rows_read,
       report.first_bad_rows.empty() ? std::string() : report.first_bad_rows.front().message());
}

mmn::Dictionaries dictionary_names(const IngestSchema& schema, const std::vector<std::unique_ptr<Dictionary>>& dicts) {
  const int type_col = schema.find(Role::type);
  const int scenario_col = schema.find(Role::scenario);
  mmn::Dictionaries names;
  names.types = type_col >= 0 ? dicts[type_col]->values() : std::vector<std::string>{"all"};
  names.scenarios = scenario_col >= 0 ? dicts[scenario_col]->values() : std::vector<std::string>{"all"};
  for (std::size_t i = 0; i < schema.columns.size(); ++i)
    if (schema.columns[i].role == Role::categorical && dicts[i])
      names.categorical[schema.columns[i].name] = dicts[i]->values();
  return names;
}

json provenance_json(const IngestSchema& schema, const IngestConfig& config, const IngestReport& report) {
  json inputs_json = json::array();
  for (const auto& s : report.inputs)
    inputs_json.push_back({{"path", absolute(s.path)},
                           {"bytes", s.bytes},
                           {"compression", s.compression},
                           {"text_bytes", s.text_bytes},
                           {"rows_read", s.rows_read},
                           {"rows_written", s.rows_written},
                           {"rows_skipped", s.rows_skipped},
                           {"blank_lines", s.blank_lines}});
  json columns = json::array();
  for (const auto& c : schema.columns) columns.push_back(column_json(c));
  return {
      {"tool", "mmn ingest"},
      {"schema_file", absolute(schema.path)},
      {"inputs", inputs_json},
      {"rows_read", report.rows_read},
      {"rows_written", report.rows_written},
      {"rows_skipped", report.rows_skipped},
      {"blank_lines", report.blank_lines},
      {"on_bad_row", config.on_bad_row == BadRowPolicy::fail ? "fail" : "skip"},
      {"max_bad_rows", config.max_bad_rows},
      {"dictionaries_from",
       config.dictionaries_from.empty() ? json(nullptr) : json(absolute(config.dictionaries_from))},
      {"delimiter", std::string(1, schema.delimiter)},
      {"header", schema.header},
      {"columns", columns},
  };
}

}  // namespace

IngestReport ingest(const IngestSchema& schema, const std::vector<std::string>& input_paths,
                    const IngestConfig& config) {
  const auto start = std::chrono::steady_clock::now();
  if (input_paths.empty()) fail("no input files given");
  if (config.out_dir.empty() && !config.dry_run) fail("no output directory given");
  IngestReport report;
  std::vector<Input> inputs = open_inputs(schema, input_paths, report);

  std::vector<std::unique_ptr<Dictionary>> dicts = make_dictionaries(schema, config.dictionaries_from);
  std::vector<const Dictionary*> fixed(schema.columns.size(), nullptr);
  for (std::size_t i = 0; i < dicts.size(); ++i)
    if (dicts[i] && dicts[i]->fixed()) fixed[i] = dicts[i].get();
  ParsePlan plan = make_parse_plan(schema, fixed);
  plan.stop_at_first_bad_row = config.on_bad_row == BadRowPolicy::fail;
  plan.bad_rows_to_keep = plan.stop_at_first_bad_row ? 1 : config.bad_rows_to_report;

  std::unique_ptr<ThreadPool> own_pool;
  ThreadPool* pool = config.pool;
  if (pool == nullptr) {
    own_pool = std::make_unique<ThreadPool>(config.threads == 0 ? ThreadPool::default_threads() : config.threads);
    pool = own_pool.get();
  }
  report.threads = pool->size();

  std::optional<DatasetWriter> writer;
  if (!config.dry_run)
    writer.emplace(config.out_dir, output_schema(schema, plan, dicts),
                   DatasetWriteOptions{config.rows_per_shard, config.rows_per_group, config.overwrite});
  Sequencer sequencer(config, plan, dicts, inputs, writer ? &*writer : nullptr, report);
  const std::size_t batch = config.chunks_per_batch != 0 ? config.chunks_per_batch : 4 * pool->size();
  // Compressed text comes in pieces of about one batch, at most 64 MiB (three are held).
  ChunkCursor cursor(inputs, config.chunk_bytes, std::min(batch * config.chunk_bytes, std::size_t{64} << 20));
  parse_all(config, plan, batch, cursor, sequencer, *pool);
  total_rows(schema, inputs, report);

  const mmn::Dictionaries names = dictionary_names(schema, dicts);
  report.n_types = static_cast<std::uint32_t>(names.types.size());
  report.n_scenarios = static_cast<std::uint32_t>(names.scenarios.size());
  if (writer) writer->commit(names, provenance_json(schema, config, report));
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace mmn::ingest
