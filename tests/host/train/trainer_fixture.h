#pragma once
// What the trainer's tests share: a small configuration on the tiny data, the run's metric
// records, and a checkpoint loaded back.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mmn/model/mmn_model.h"
#include "mmn/model/optimizer.h"
#include "mmn/train/checkpoint.h"
#include "mmn/train/trainer.h"

namespace mmn::testing {

inline TrainConfig tiny_config(const std::string& data, const std::string& run_dir) {
  TrainConfig c;
  c.data.train = data + "/train";
  c.data.test = data + "/test";
  c.model.embedding_dim = 4;
  c.model.ctr_hidden = {16};
  c.model.cvr_hidden = {16, 8};
  c.train.batch_size = 256;
  c.train.log_every = 5;
  c.run.dir = run_dir;
  c.run.plots = false;
  return c;
}

// "kind@step" of every metrics.jsonl record, in file order.
inline std::vector<std::string> metric_records(const std::string& run_dir) {
  std::ifstream in(std::filesystem::path(run_dir) / "metrics.jsonl");
  std::vector<std::string> records;
  std::string line;
  while (std::getline(in, line)) {
    const nlohmann::json j = nlohmann::json::parse(line);
    records.push_back(j.at("kind").get<std::string>() + "@" + std::to_string(j.at("step").get<std::uint64_t>()));
  }
  return records;
}

struct Loaded {
  std::unique_ptr<MmnModel> model;
  std::unique_ptr<Optimizer> optimizer;
  CheckpointState state;
};

inline Loaded load(const TrainConfig& c, const std::string& checkpoint, const Schema& schema) {
  Loaded l;
  l.model = std::make_unique<MmnModel>(c.model, schema, 0);
  l.optimizer = std::make_unique<Optimizer>(c.optimizer, *l.model);
  l.state = read_checkpoint(checkpoint, *l.model, *l.optimizer);
  return l;
}

}  // namespace mmn::testing
