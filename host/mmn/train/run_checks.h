#pragma once
// Checks that stop a training run with a clear message: data sets that do not belong
// together, a run directory already in use, ranks that disagree.
#include <cstdint>
#include <string>

#include "mmn/train/train_config.h"
#include "mmn/train/trainer.h"

namespace mmn {

class Communicator;
class Dataset;

// `other` (test or held-out data) must have the training data's fields and domains.
void require_same_domains(const Dataset& train, const Dataset& other);

// A directory holding an earlier run is refused unless resumed or overwritten (then cleared).
void prepare_run_dir(const std::string& dir, const TrainOptions& options);

// Rank 0's resolved configuration must equal every rank's own.
void check_same_config_on_every_rank(Communicator& comm, const TrainConfig& config);

// A test hook: MMN_TEST_FAIL_ON_RANK=R makes rank R fail after opening the data, as a
// bad shard on that rank would.
void inject_rank_failure(const Communicator& comm);

// The checksum of every parameter; under data parallelism every rank's must equal rank 0's.
std::uint64_t check_replicas_agree(Communicator& comm, const MmnModel& model, std::uint64_t step);

}  // namespace mmn
