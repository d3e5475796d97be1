#include "mmn/train/best_model.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "mmn/comm/communicator.h"
#include "mmn/train/checkpoint.h"
#include "mmn/util/error.h"
#include "mmn/util/file_writer.h"

namespace mmn {

namespace fs = std::filesystem;

bool BestModelTracker::observe(std::uint64_t step, double score) {
  const bool better = std::isfinite(score) && (best_.step == 0 || score > best_.value);
  if (better)
    best_ = {step, score, "", 0};
  else
    ++best_.since_best;
  return better;
}

void write_best(const std::string& run_dir, ValidationMetric metric, const BestSoFar& best) {
  const nlohmann::json j = {{"metric", to_string(metric)}, {"step", best.step},         {"value", best.value},
                            {"checkpoint", best.checkpoint}, {"since_best", best.since_best}};
  write_file_atomically((fs::path(run_dir) / "checkpoints" / kBestCheckpointDir / "best.json").string(),
                        j.dump(2) + "\n");
}

BestSoFar read_best(const std::string& run_dir, Communicator& comm) {
  std::string text;
  if (comm.rank() == 0) {
    std::ifstream in(fs::path(run_dir) / "checkpoints" / kBestCheckpointDir / "best.json");
    if (in) text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  comm.broadcast(text, 0);
  if (text.empty()) return {};
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    return {j.at("step").get<std::uint64_t>(), j.at("value").get<double>(), j.at("checkpoint").get<std::string>(),
            j.value("since_best", 0u)};
  } catch (const nlohmann::json::exception& e) {
    fail("{}/checkpoints/{}/best.json: not a best-checkpoint record: {}", run_dir, kBestCheckpointDir, e.what());
  }
}

}  // namespace mmn
