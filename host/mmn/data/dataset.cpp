#include "mmn/data/dataset.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "mmn/data/shard_writer.h"
#include "mmn/util/error.h"
#include "mmn/util/file_writer.h"
#include "mmn/util/thread_pool.h"

namespace mmn {

namespace fs = std::filesystem;
using nlohmann::json;

json schema_to_json(const Schema& s) {
  json cat = json::array();
  for (const auto& f : s.categorical) cat.push_back({{"name", f.name}, {"vocab_size", f.vocab_size}});
  return {{"n_types", s.n_types}, {"n_scenarios", s.n_scenarios}, {"categorical", cat}, {"dense", s.dense},
          {"has_truth", s.has_truth}};
}

Schema schema_from_json(const json& j, const std::string& where) {
  Schema s;
  try {
    s.n_types = j.at("n_types").get<std::uint32_t>();
    s.n_scenarios = j.at("n_scenarios").get<std::uint32_t>();
    for (const auto& f : j.at("categorical"))
      s.categorical.push_back({f.at("name").get<std::string>(), f.at("vocab_size").get<std::uint64_t>()});
    s.dense = j.at("dense").get<std::vector<std::string>>();
    s.has_truth = j.at("has_truth").get<bool>();
  } catch (const json::exception& e) {
    fail("{}: bad schema: {}", where, e.what());
  }
  s.validate(where);
  return s;
}

namespace {

// A shard's counts of types and scenarios may be below the data set's: ingest
// learns dictionaries while writing. Everything else must match exactly.
bool shard_fits(const Schema& shard, const Schema& dataset) {
  Schema widened = shard;
  widened.n_types = dataset.n_types;
  widened.n_scenarios = dataset.n_scenarios;
  return widened == dataset && shard.n_types <= dataset.n_types && shard.n_scenarios <= dataset.n_scenarios;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot read: {}", path, std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Dataset Dataset::open(const std::string& dir, Verify verify, ThreadPool* pool) {
  Dataset d;
  d.dir_ = dir;
  if (!fs::is_directory(dir)) fail("{}: not a data set directory (does not exist or is not a directory)", dir);
  const std::string manifest_path = (fs::path(dir) / kManifestName).string();
  if (!fs::exists(manifest_path))
    fail("{}: not an mmn data set: {} is missing (an unfinished ingest or synth leaves none)", dir, kManifestName);
  json m;
  try {
    m = json::parse(read_text(manifest_path));
  } catch (const json::exception& e) {
    fail("{}: not valid JSON: {}", manifest_path, e.what());
  }
  try {
    if (!m.is_object() || m.value("format", "") != "mmn-dataset")
      fail("{}: not an mmn data set manifest (format is not \"mmn-dataset\")", manifest_path);
    const auto version = m.at("version").get<std::uint32_t>();
    if (version > kDatasetVersion)
      fail("{}: data set version {} is newer than this build of mmn reads (up to {})", manifest_path, version,
           kDatasetVersion);
    d.schema_ = schema_from_json(m.at("schema"), manifest_path);
    d.dictionaries_.types = m.at("dictionaries").at("types").get<std::vector<std::string>>();
    d.dictionaries_.scenarios = m.at("dictionaries").at("scenarios").get<std::vector<std::string>>();
    if (d.dictionaries_.types.size() != d.schema_.n_types || d.dictionaries_.scenarios.size() != d.schema_.n_scenarios)
      fail("{}: the dictionaries name {} types and {} scenarios, the schema has {} and {}", manifest_path,
           d.dictionaries_.types.size(), d.dictionaries_.scenarios.size(), d.schema_.n_types, d.schema_.n_scenarios);
    if (m.at("dictionaries").contains("categorical"))
      d.dictionaries_.categorical =
          m.at("dictionaries").at("categorical").get<std::map<std::string, std::vector<std::string>>>();
    d.provenance_ = m.value("provenance", json::object());
    for (const auto& s : m.at("shards")) {
      const auto file = s.at("file").get<std::string>();
      if (file.empty() || file.find('/') != std::string::npos || file == "." || file == "..")
        fail("{}: shard file name '{}' must be a plain file name inside the data set", manifest_path, file);
      ShardReader reader((fs::path(dir) / file).string());
      if (reader.rows() != s.at("rows").get<std::uint64_t>())
        fail("{}: has {} rows, {} says {}", reader.path(), reader.rows(), manifest_path, s.at("rows").get<std::uint64_t>());
      if (!shard_fits(reader.schema(), d.schema_))
        fail("{}: its schema differs from the data set's in {}", reader.path(), manifest_path);
      d.shards_.push_back(std::move(reader));
    }
    if (m.at("rows").get<std::uint64_t>() != [&] {
          std::uint64_t n = 0;
          for (const auto& s : d.shards_) n += s.rows();
          return n;
        }())
      fail("{}: the row count does not match the sum over its shards", manifest_path);
  } catch (const json::exception& e) {
    fail("{}: bad manifest: {}", manifest_path, e.what());
  }
  for (std::uint32_t s = 0; s < d.shards_.size(); ++s) {
    for (std::uint32_t g = 0; g < d.shards_[s].row_groups(); ++g) {
      const RowRange r = d.shards_[s].group_rows(g);
      d.groups_.push_back({s, g, d.rows_ + r.begin, r.size()});
    }
    d.rows_ += d.shards_[s].rows();
  }
  if (verify == Verify::full) d.verify_all(pool);
  return d;
}

void Dataset::verify(const std::vector<std::size_t>& groups, ThreadPool* pool) const {
  auto check = [&](std::size_t i) {
    const RowGroupRef& g = groups_.at(groups[i]);
    shards_[g.shard].verify(g.group);
  };
  run_tasks(pool, groups.size(), check);
}

void Dataset::verify_all(ThreadPool* pool) const {
  std::vector<std::size_t> all(groups_.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  verify(all, pool);
}

DatasetWriter::DatasetWriter(std::string dir, Schema schema, DatasetWriteOptions options)
    : dir_(std::move(dir)), schema_(std::move(schema)), options_(options) {
  schema_.validate(dir_);
  if (options_.rows_per_shard == 0 || options_.rows_per_group == 0)
    fail("{}: rows per shard and rows per group must be at least 1", dir_);
  while (!dir_.empty() && dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
  if (fs::exists(dir_) && !options_.overwrite)
    fail("{}: already exists; choose another output or pass --overwrite to replace it", dir_);
  if (fs::exists(dir_) && !fs::exists(fs::path(dir_) / kManifestName))
    fail("{}: exists and is not an mmn data set; refusing to replace it", dir_);
  const fs::path parent = fs::path(dir_).parent_path();
  std::error_code ec;
  if (!parent.empty() && !fs::is_directory(parent) && (!fs::create_directories(parent, ec) || ec))
    fail("{}: cannot create its parent directory {}: {}", dir_, parent.string(),
         ec ? ec.message() : "a file of that name is in the way");
  temp_dir_ = dir_ + ".incomplete-" + std::to_string(::getpid());
  fs::remove_all(temp_dir_, ec);
  if (!fs::create_directory(temp_dir_, ec) || ec)
    fail("{}: cannot create directory: {}", temp_dir_, ec ? ec.message() : "it exists");
  // A shard's rows are buffered whole; reserving them once saves regrowing every column.
  pending_.reserve(schema_, std::min<std::uint64_t>(options_.rows_per_shard, std::uint64_t{1} << 22));
}

DatasetWriter::~DatasetWriter() {
  if (!committed_) {
    std::error_code ignored;
    fs::remove_all(temp_dir_, ignored);
  }
}

void DatasetWriter::set_n_types(std::uint32_t n) {
  if (n > schema_.n_types) schema_.n_types = n;
}

void DatasetWriter::set_n_scenarios(std::uint32_t n) {
  if (n > schema_.n_scenarios) schema_.n_scenarios = n;
}

void DatasetWriter::append(const ColumnView& rows) {
  std::size_t done = 0;
  while (done < rows.rows) {
    const std::size_t room = options_.rows_per_shard - pending_.rows();
    const std::size_t take = rows.rows - done < room ? rows.rows - done : room;
    const ColumnView part = rows.slice(done, done + take);
    const std::size_t at = pending_.rows();
    pending_.resize(schema_, at + take);
    std::memcpy(pending_.click.data() + at, part.click, take);
    std::memcpy(pending_.conv.data() + at, part.conv, take);
    std::memcpy(pending_.type.data() + at, part.type, take * sizeof(std::uint16_t));
    std::memcpy(pending_.scenario.data() + at, part.scenario, take * sizeof(std::uint16_t));
    for (std::size_t f = 0; f < part.categorical.size(); ++f)
      std::memcpy(pending_.categorical[f].data() + at, part.categorical[f], take * sizeof(std::uint32_t));
    for (std::size_t f = 0; f < part.dense.size(); ++f)
      std::memcpy(pending_.dense[f].data() + at, part.dense[f], take * sizeof(float));
    if (schema_.has_truth) {
      std::memcpy(pending_.p_ctr.data() + at, part.p_ctr, take * sizeof(float));
      std::memcpy(pending_.p_cvr.data() + at, part.p_cvr, take * sizeof(float));
    }
    done += take;
    rows_ += take;
    if (pending_.rows() == options_.rows_per_shard) flush_shard();
  }
}

void DatasetWriter::flush_shard() {
  if (pending_.rows() == 0) return;
  const std::string name = fmt::format("part-{:05d}.mmns", shard_files_.size());
  write_shard((fs::path(temp_dir_) / name).string(), schema_, view_of(pending_), options_.rows_per_group);
  shard_files_.emplace_back(name, pending_.rows());
  pending_.resize(schema_, 0);
}

void DatasetWriter::commit(const Dictionaries& dictionaries, const json& provenance) {
  if (committed_) fail("{}: already committed", dir_);
  set_n_types(static_cast<std::uint32_t>(dictionaries.types.size()));
  set_n_scenarios(static_cast<std::uint32_t>(dictionaries.scenarios.size()));
  if (dictionaries.types.size() != schema_.n_types || dictionaries.scenarios.size() != schema_.n_scenarios)
    fail("{}: {} type and {} scenario names given for {} types and {} scenarios", dir_, dictionaries.types.size(),
         dictionaries.scenarios.size(), schema_.n_types, schema_.n_scenarios);
  flush_shard();
  json shards = json::array();
  for (const auto& [file, rows] : shard_files_) shards.push_back({{"file", file}, {"rows", rows}});
  const json manifest = {{"format", "mmn-dataset"},
                         {"version", kDatasetVersion},
                         {"rows", rows_},
                         {"schema", schema_to_json(schema_)},
                         {"dictionaries",
                          {{"types", dictionaries.types},
                           {"scenarios", dictionaries.scenarios},
                           {"categorical", dictionaries.categorical}}},
                         {"shards", shards},
                         {"provenance", provenance}};
  write_file_atomically((fs::path(temp_dir_) / kManifestName).string(), manifest.dump(1) + "\n");

  std::string old_dir;
  if (fs::exists(dir_)) {
    old_dir = dir_ + ".replaced-" + std::to_string(::getpid());
    if (std::rename(dir_.c_str(), old_dir.c_str()) != 0)
      fail("{}: cannot move the old data set aside: {}", dir_, std::strerror(errno));
  }
  if (std::rename(temp_dir_.c_str(), dir_.c_str()) != 0) {
    const int err = errno;
    if (!old_dir.empty()) std::rename(old_dir.c_str(), dir_.c_str());
    fail("{}: cannot rename {} into place: {}", dir_, temp_dir_, std::strerror(err));
  }
  committed_ = true;
  const fs::path parent = fs::path(dir_).parent_path();
  fsync_directory(parent.empty() ? "." : parent.string());
  if (!old_dir.empty()) {
    std::error_code ignored;
    fs::remove_all(old_dir, ignored);
  }
}

}  // namespace mmn
