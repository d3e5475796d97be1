#pragma once
// A data set is a directory: dataset.json (schema, dictionaries, shard list,
// provenance) and shard files part-NNNNN.mmns. dataset.json is written last, and
// the directory appears under its name only when complete (see DatasetWriter), so
// a directory without it is never a data set.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mmn/data/schema.h"
#include "mmn/data/shard_reader.h"

namespace mmn {

class ThreadPool;

inline constexpr const char* kManifestName = "dataset.json";
inline constexpr std::uint32_t kDatasetVersion = 1;

enum class Verify {
  structure,  // headers, metadata, sizes; no pass over the data
  full,       // plus every column checksum and every value against the schema
};

struct RowGroupRef {
  std::uint32_t shard = 0;
  std::uint32_t group = 0;
  std::uint64_t first_row = 0;  // global row index of the group's first row
  std::uint64_t rows = 0;
};

class Dataset {
 public:
  // Throws mmn::Error naming the directory or file and the problem.
  static Dataset open(const std::string& dir, Verify verify = Verify::full, ThreadPool* pool = nullptr);

  const std::string& path() const { return dir_; }
  const Schema& schema() const { return schema_; }
  const Dictionaries& dictionaries() const { return dictionaries_; }
  const nlohmann::json& provenance() const { return provenance_; }
  std::uint64_t rows() const { return rows_; }
  const std::vector<ShardReader>& shards() const { return shards_; }
  // Every row group of every shard, in row order.
  const std::vector<RowGroupRef>& row_groups() const { return groups_; }

  // Verifies the given row groups (indices into row_groups()), spread over the pool.
  void verify(const std::vector<std::size_t>& groups, ThreadPool* pool = nullptr) const;
  void verify_all(ThreadPool* pool = nullptr) const;

 private:
  std::string dir_;
  Schema schema_;
  Dictionaries dictionaries_;
  nlohmann::json provenance_;
  std::uint64_t rows_ = 0;
  std::vector<ShardReader> shards_;
  std::vector<RowGroupRef> groups_;
};

nlohmann::json schema_to_json(const Schema& schema);
Schema schema_from_json(const nlohmann::json& j, const std::string& where);

struct DatasetWriteOptions {
  std::uint64_t rows_per_shard = 1u << 20;
  std::uint32_t rows_per_group = 65536;
  bool overwrite = false;  // replace an existing data set at the destination
};

// Builds a data set in a temporary sibling directory "<dir>.incomplete-<pid>" and
// renames it into place on commit(). Destruction without commit() removes the
// temporary directory; an interrupted process leaves only that directory, which
// holds no dataset.json.
class DatasetWriter {
 public:
  DatasetWriter(std::string dir, Schema schema, DatasetWriteOptions options = {});
  ~DatasetWriter();
  DatasetWriter(const DatasetWriter&) = delete;
  DatasetWriter& operator=(const DatasetWriter&) = delete;

  const Schema& schema() const { return schema_; }
  // Dictionaries may grow while appending (ingest learns them as it reads): the
  // schema's counts of types and scenarios are raised to match at commit.
  void set_n_types(std::uint32_t n);
  void set_n_scenarios(std::uint32_t n);
  void append(const ColumnView& rows);
  std::uint64_t rows() const { return rows_; }
  void commit(const Dictionaries& dictionaries, const nlohmann::json& provenance = nlohmann::json::object());

 private:
  void flush_shard();

  std::string dir_;
  std::string temp_dir_;
  Schema schema_;
  DatasetWriteOptions options_;
  ColumnBlock pending_;
  std::vector<std::pair<std::string, std::uint64_t>> shard_files_;
  std::uint64_t rows_ = 0;
  bool committed_ = false;
};

}  // namespace mmn
