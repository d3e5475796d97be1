#include "mmn/train/run_checks.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "mmn/comm/communicator.h"
#include "mmn/data/dataset.h"
#include "mmn/model/mmn_model.h"
#include "mmn/util/checksum.h"
#include "mmn/util/error.h"

namespace mmn {

namespace fs = std::filesystem;

void require_same_domains(const Dataset& train, const Dataset& other) {
  Schema a = train.schema(), b = other.schema();
  a.has_truth = b.has_truth = false;
  if (a != b)
    fail("{}: its schema differs from the training data's ({}): fields, vocabularies and domains must match",
         other.path(), train.path());
  if (train.dictionaries().types != other.dictionaries().types ||
      train.dictionaries().scenarios != other.dictionaries().scenarios)
    fail("{}: its type or scenario dictionary differs from the training data's ({}); ingest it with "
         "--dictionaries-from {}",
         other.path(), train.path(), train.path());
}

void prepare_run_dir(const std::string& dir, const TrainOptions& options) {
  const bool has_run = fs::exists(fs::path(dir) / "metrics.jsonl") || fs::exists(fs::path(dir) / "checkpoints");
  if (!has_run) return;
  if (options.resume) return;
  if (!options.overwrite)
    fail("{}: holds an earlier run; pass --resume to continue it or --overwrite to replace it", dir);
  for (const char* name : {"metrics.jsonl", "checkpoints", "summary.json", "plots"}) {
    std::error_code ignored;
    fs::remove_all(fs::path(dir) / name, ignored);
  }
}

void check_same_config_on_every_rank(Communicator& comm, const TrainConfig& config) {
  if (comm.size() == 1) return;
  const std::string mine = to_toml(config);
  std::string lead = mine;
  comm.broadcast(lead, 0);
  std::uint64_t differs = lead != mine ? 1 : 0;
  comm.sum(&differs, 1);
  if (differs == 0) return;
  if (lead != mine) {
    std::istringstream a(lead), b(mine);
    std::string la, lb;
    while (std::getline(a, la) && std::getline(b, lb) && la == lb) {
    }
    fail("rank {}: its configuration differs from rank 0's (rank 0: '{}', here: '{}'); every process must get the "
         "same configuration and --set overrides",
         comm.rank(), la, lb);
  }
  fail("{} of {} processes have a configuration different from rank 0's", differs, comm.size());
}

void inject_rank_failure(const Communicator& comm) {
  const char* rank = std::getenv("MMN_TEST_FAIL_ON_RANK");
  if (rank != nullptr && std::atoi(rank) == comm.rank())
    fail("rank {}: injected failure (MMN_TEST_FAIL_ON_RANK)", comm.rank());
}

std::uint64_t check_replicas_agree(Communicator& comm, const MmnModel& model, std::uint64_t step) {
  const std::vector<float>& dense = model.dense().all_values();
  std::uint64_t sum = checksum64(dense.data(), dense.size() * sizeof(float));
  for (const EmbeddingTable& t : model.embeddings())
    sum = sum * 0x9e3779b97f4a7c15ull + checksum64(t.values.data(), t.values.size() * sizeof(float));
  if (comm.size() == 1) return sum;
  std::string lead(reinterpret_cast<const char*>(&sum), sizeof sum);
  comm.broadcast(lead, 0);
  std::uint64_t differs = std::memcmp(lead.data(), &sum, sizeof sum) != 0 ? 1 : 0;
  comm.sum(&differs, 1);
  if (differs != 0)
    fail("after step {} the parameters of {} of {} processes differ from rank 0's; data-parallel replicas must stay "
         "identical",
         step, differs, comm.size());
  return sum;
}

}  // namespace mmn
