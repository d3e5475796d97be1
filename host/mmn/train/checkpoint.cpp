#include "mmn/train/checkpoint.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <type_traits>

#include <fmt/format.h>

#include "mmn/data/binary_codec.h"
#include "mmn/data/dataset.h"
#include "mmn/model/mmn_model.h"
#include "mmn/model/optimizer.h"
#include "mmn/util/checksum.h"
#include "mmn/util/error.h"
#include "mmn/util/file_writer.h"
#include "mmn/util/mapped_file.h"

namespace mmn {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kMagic[8] = {'M', 'M', 'N', 'C', 'K', 'P', 'T', '1'};
// Version 2 ends with the XXH3-64 of every byte outside the sections' data (magic,
// version, count and each section's header), so that a flipped name, size or count is
// corruption, not a "different model"; version 1 files (without it) still read.
constexpr std::uint32_t kVersion = 2;

// Data is `const void*` when writing a checkpoint and `void*` when reading one into a model.
template <typename Data>
struct Section {
  std::string name;
  Data data;
  std::uint64_t bytes;
};

// The parameter and optimizer-state arrays in file order, after the meta section.
template <typename Model, typename Opt, typename Data = std::conditional_t<std::is_const_v<Model>, const void*, void*>>
std::vector<Section<Data>> float_sections(Model& model, Opt& optimizer) {
  std::vector<Section<Data>> s;
  auto& dense = model.dense().all_values();
  s.push_back({"dense", dense.data(), dense.size() * sizeof(float)});
  for (std::size_t k = 0; k < optimizer.dense_state().size(); ++k)
    s.push_back({fmt::format("dense.state{}", k), optimizer.dense_state()[k].data(),
                 optimizer.dense_state()[k].size() * sizeof(float)});
  for (std::size_t t = 0; t < model.embeddings().size(); ++t) {
    auto& table = model.embeddings()[t];
    s.push_back({"table." + table.name, table.values.data(), table.values.size() * sizeof(float)});
    if (!table.id_map.empty())
      s.push_back({"table." + table.name + ".id_map", table.id_map.data(), table.id_map.size() * sizeof(std::uint32_t)});
    for (std::size_t k = 0; k < optimizer.table_state()[t].size(); ++k)
      s.push_back({fmt::format("table.{}.state{}", table.name, k), optimizer.table_state()[t][k].data(),
                   optimizer.table_state()[t][k].size() * sizeof(float)});
  }
  return s;
}

json meta_of(const MmnModel& model, const Optimizer& optimizer, const CheckpointState& state) {
  return {{"step", state.step},
          {"epoch", state.position.epoch},
          {"batch", state.position.batch},
          {"optimizer_steps", optimizer.steps()},
          {"optimizer", to_string(optimizer.config().kind)},
          {"embedding_optimizer", to_string(optimizer.config().table_kind())},
          {"model", model.config().label()},
          {"schema", schema_to_json(model.schema())},
          {"extra", state.extra}};
}

}  // namespace

void write_checkpoint(const std::string& path, const MmnModel& model, const Optimizer& optimizer,
                      const CheckpointState& state) {
  const std::string meta = meta_of(model, optimizer, state).dump();
  std::vector<Section<const void*>> sections = {{"meta", meta.data(), meta.size()}};
  for (const auto& s : float_sections(model, optimizer)) sections.push_back(s);

  const std::string temp = path + ".tmp-" + std::to_string(::getpid());
  std::error_code ignored;
  fs::remove(temp, ignored);
  try {
    FileWriter out(temp);
    ByteEncoder head;
    head.raw(kMagic, sizeof kMagic);
    head.u32(kVersion);
    head.u32(static_cast<std::uint32_t>(sections.size()));
    out.write(head.bytes().data(), head.bytes().size());
    std::string headers(head.bytes().begin(), head.bytes().end());
    for (const auto& s : sections) {
      ByteEncoder e;
      e.str(s.name);
      e.u64(s.bytes);
      e.u64(checksum64(s.data, s.bytes));
      out.write(e.bytes().data(), e.bytes().size());
      headers.append(e.bytes().begin(), e.bytes().end());
      out.write(s.data, s.bytes);
    }
    const std::uint64_t trailer = checksum64(headers.data(), headers.size());
    out.write(&trailer, sizeof trailer);
    out.finish();
  } catch (const Error& e) {
    fs::remove(temp, ignored);
    fail("cannot write checkpoint {}: {}; no file was replaced, the earlier checkpoints are intact", path, e.what());
  } catch (...) {
    fs::remove(temp, ignored);
    throw;
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    fs::remove(temp, ignored);
    fail("{}: cannot rename checkpoint into place: {}", path, std::strerror(err));
  }
  const fs::path parent = fs::path(path).parent_path();
  fsync_directory(parent.empty() ? "." : parent.string());
}

CheckpointState read_checkpoint(const std::string& path, MmnModel& model, Optimizer& optimizer) {
  const MappedFile file(path);
  if (file.size() < sizeof kMagic + 8 || std::memcmp(file.data(), kMagic, sizeof kMagic) != 0)
    fail("{}: not an mmn checkpoint (wrong magic number or too short)", path);
  ByteDecoder in(file.data() + sizeof kMagic, file.size() - sizeof kMagic, path);
  const std::uint32_t version = in.u32("version");
  if (version > kVersion) fail("{}: checkpoint version {} is newer than this build reads ({})", path, version, kVersion);
  if (version == 0) fail("{}: corrupt: checkpoint version 0", path);
  const std::uint32_t count = in.u32("section count");
  const std::uint8_t* base = file.data() + sizeof kMagic;
  std::string headers(reinterpret_cast<const char*>(file.data()), sizeof kMagic + in.position());
  struct Found {
    const std::uint8_t* data;
    std::uint64_t bytes;
  };
  std::vector<std::pair<std::string, Found>> found;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::size_t header_at = in.position();
    std::string name = in.str("section name");
    const std::uint64_t bytes = in.u64("section size");
    const std::uint64_t sum = in.u64("section checksum");
    const std::size_t at = in.position();
    if (bytes > file.size() - sizeof kMagic - at)
      fail("{}: truncated: section '{}' needs {} bytes, {} remain", path, name, bytes, file.size() - sizeof kMagic - at);
    if (checksum64(base + at, bytes) != sum) fail("{}: section '{}' is corrupt (checksum mismatch)", path, name);
    headers.append(reinterpret_cast<const char*>(base + header_at), at - header_at);
    found.emplace_back(std::move(name), Found{base + at, bytes});
    in.skip(bytes, "section");
  }
  if (version >= 2) {
    const std::uint64_t trailer = in.u64("header checksum");
    if (trailer != checksum64(headers.data(), headers.size()))
      fail("{}: corrupt: the checksum of the section headers does not match", path);
  }
  if (in.position() != file.size() - sizeof kMagic)
    fail("{}: corrupt: {} unexpected bytes after the last section", path, file.size() - sizeof kMagic - in.position());
  if (found.empty() || found.front().first != "meta") fail("{}: corrupt: no meta section", path);
  json meta;
  try {
    meta = json::parse(std::string(reinterpret_cast<const char*>(found.front().second.data), found.front().second.bytes));
  } catch (const json::exception& e) {
    fail("{}: corrupt meta section: {}", path, e.what());
  }
  CheckpointState state;
  try {
    if (meta.at("model").get<std::string>() != model.config().label())
      throw CheckpointMismatch(fmt::format("{}: holds a '{}' model, the configuration builds '{}'", path,
                                           meta.at("model").get<std::string>(), model.config().label()));
    if (schema_from_json(meta.at("schema"), path) != model.schema())
      throw CheckpointMismatch(fmt::format("{}: was trained on data with a different schema", path));
    if (meta.at("optimizer").get<std::string>() != to_string(optimizer.config().kind))
      throw CheckpointMismatch(fmt::format("{}: holds {} state, the configuration uses {}", path,
                                           meta.at("optimizer").get<std::string>(),
                                           to_string(optimizer.config().kind)));
    // Written before the tables could have their own optimizer: they had the dense one.
    const std::string tables = meta.value("embedding_optimizer", meta.at("optimizer").get<std::string>());
    if (tables != to_string(optimizer.config().table_kind()))
      throw CheckpointMismatch(fmt::format("{}: holds {} state for the embedding tables, the configuration uses {}",
                                           path, tables, to_string(optimizer.config().table_kind())));
    state.step = meta.at("step").get<std::uint64_t>();
    state.position = {meta.at("epoch").get<std::uint64_t>(), meta.at("batch").get<std::uint64_t>()};
    state.extra = meta.value("extra", json::object());
    optimizer.set_steps(meta.at("optimizer_steps").get<std::uint64_t>());
  } catch (const json::exception& e) {
    fail("{}: corrupt meta section: {}", path, e.what());
  }
  const std::vector<Section<void*>> expected = float_sections(model, optimizer);
  if (found.size() != expected.size() + 1)
    throw CheckpointMismatch(
        fmt::format("{}: has {} parameter sections, the model needs {}", path, found.size() - 1, expected.size()));
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& [name, f] = found[i + 1];
    if (name != expected[i].name || f.bytes != expected[i].bytes)
      throw CheckpointMismatch(fmt::format("{}: section {} is '{}' of {} bytes, the model needs '{}' of {} bytes",
                                           path, i + 1, name, f.bytes, expected[i].name, expected[i].bytes));
    std::memcpy(expected[i].data, f.data, f.bytes);
  }
  return state;
}

CheckpointDirectory::CheckpointDirectory(std::string dir, std::uint32_t keep) : dir_(std::move(dir)), keep_(keep) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) fail("{}: cannot create checkpoint directory: {}", dir_, ec.message());
  // Temporary files of a write that never finished (the process was killed): never read, only removed.
  for (const auto& entry : fs::directory_iterator(dir_)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("step-", 0) == 0 && name.find(".mmnc.tmp-") != std::string::npos) fs::remove(entry.path(), ec);
  }
}

std::optional<std::uint64_t> checkpoint_step(const std::string& file_name) {
  unsigned long long step = 0;
  char tail[8] = {0};
  if (std::sscanf(file_name.c_str(), "step-%llu.%7s", &step, tail) == 2 && std::string(tail) == "mmnc") return step;
  return std::nullopt;
}

std::vector<std::string> CheckpointDirectory::list() const {
  std::vector<std::pair<std::uint64_t, std::string>> found;
  for (const auto& entry : fs::directory_iterator(dir_))
    if (const auto step = checkpoint_step(entry.path().filename().string()))
      found.emplace_back(*step, entry.path().string());
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> paths;
  for (auto& f : found) paths.push_back(std::move(f.second));
  return paths;
}

std::string CheckpointDirectory::save(const MmnModel& model, const Optimizer& optimizer, const CheckpointState& state) {
  const std::string path = (fs::path(dir_) / fmt::format("step-{:09d}.mmnc", state.step)).string();
  write_checkpoint(path, model, optimizer, state);
  const auto all = list();
  for (std::size_t i = keep_; i < all.size(); ++i) {
    std::error_code ignored;
    fs::remove(all[i], ignored);
  }
  return path;
}

}  // namespace mmn
