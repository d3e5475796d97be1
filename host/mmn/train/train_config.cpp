#include "mmn/train/train_config.h"

#include <algorithm>
#include <filesystem>
#include <string_view>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "mmn/train/config_key.h"
#include "mmn/util/error.h"
#include "mmn/util/nearest_word.h"

namespace mmn {
namespace {

using config::KeySpec;
using config::keys;
using config::Pending;
using config::Where;

const KeySpec* find_key(const std::string& section, const std::string& name) {
  for (const auto& k : keys())
    if (k.section == section && k.name == name) return &k;
  return nullptr;
}

bool known_section(const std::string& section) {
  return std::any_of(keys().begin(), keys().end(), [&](const KeySpec& k) { return k.section == section; });
}

std::string closest_key(const std::string& dotted) {
  std::vector<std::string> names;
  for (const auto& k : keys()) names.push_back(k.full());
  return nearest_word(dotted, names);
}

// The closest known key when only the key's name is known (a key outside any section).
std::string closest_key_by_name(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& k : keys()) names.push_back(k.name);
  const std::string best = nearest_word(name, names);
  for (const auto& k : keys())
    if (k.name == best) return k.full();
  return {};
}

std::string closest_section(const std::string& section) {
  std::vector<std::string> sections;
  for (const auto& k : keys())
    if (std::find(sections.begin(), sections.end(), k.section) == sections.end()) sections.push_back(k.section);
  return nearest_word(section, sections);
}

std::string at(const std::string& path, const toml::source_region& region) {
  return fmt::format("at {}:{}", path, region.begin.line);
}

void apply_file(Pending& p, const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail("config file '{}' not found", path);
  if (std::filesystem::is_directory(path, ec)) fail("config file '{}' is a directory, not a file", path);
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    fail("{}:{}:{}: not valid TOML: {}", path, e.source().begin.line, e.source().begin.column, e.description());
  }
  for (auto&& [section_key, section_node] : root) {
    const std::string section(section_key.str());
    const toml::table* table = section_node.as_table();
    if (table == nullptr) {
      fail("key '{}' {} is outside any section; did you mean '{}'?", section, at(path, section_key.source()),
           closest_key_by_name(section));
    }
    if (!known_section(section)) {
      fail("unknown section '{}' {}; did you mean '{}'?", section, at(path, section_key.source()),
           closest_section(section));
    }
    for (auto&& [key, node] : *table) {
      const std::string name(key.str());
      const std::string dotted = section + "." + name;
      const KeySpec* spec = find_key(section, name);
      if (spec == nullptr)
        fail("unknown key '{}' {}; did you mean '{}'?", dotted, at(path, key.source()), closest_key(dotted));
      spec->set(p, config::from_node(node), dotted, Where{at(path, key.source())});
    }
  }
}

void apply_override(Pending& p, const std::string& text) {
  const Where where{fmt::format("in --set '{}'", text)};
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos) fail("override '--set {}' is not of the form section.key=value", text);
  const std::string dotted(config::trim(std::string_view(text).substr(0, eq)));
  const std::string value = text.substr(eq + 1);
  const std::size_t dot = dotted.find('.');
  const KeySpec* spec =
      dot == std::string::npos ? nullptr : find_key(dotted.substr(0, dot), dotted.substr(dot + 1));
  if (spec == nullptr)
    fail("unknown key '{}' {}; did you mean '{}'?", dotted, where.text, closest_key(dotted));
  spec->set(p, config::from_text(spec->kind, value, dotted, where), dotted, where);
}

}  // namespace

TrainConfig load_train_config(const std::string& path, const std::vector<std::string>& overrides) {
  Pending p;
  if (!path.empty()) apply_file(p, path);
  for (const auto& o : overrides) apply_override(p, o);
  if (p.lr) config::chosen_lr(p.config) = *p.lr;
  if (p.eps) config::chosen_eps(p.config) = *p.eps;
  const OptimizerConfig& o = p.config.optimizer;
  if (o.embedding_lr > 0 && o.table_kind() == o.kind)
    fail("optimizer.embedding_lr{}: the embedding tables use the dense parameters' optimizer ({}), so their learning "
         "rate is optimizer.lr times optimizer.embedding_lr_scale; embedding_lr is for optimizer.embedding_optimizer "
         "set to the other one",
         path.empty() ? std::string() : fmt::format(" in {}", path), to_string(o.kind));
  if (p.config.data.train.empty()) {
    fail("data.train is not set{}: give the training data directory in [data] train = \"DIR\" or with "
         "--set data.train=DIR",
         path.empty() ? std::string() : fmt::format(" in {}", path));
  }
  return p.config;
}

std::string to_toml(const TrainConfig& config) {
  std::string out = "# mmn train configuration: every key with its resolved value\n";
  std::string section;
  for (const auto& k : keys()) {
    if (k.section != section) {
      if (!section.empty()) out += "\n";
      section = k.section;
      out += fmt::format("[{}]\n", section);
    }
    out += fmt::format("{} = {}\n", k.name, k.write(config));
  }
  return out;
}

}  // namespace mmn
