#pragma once
// Resuming a run from its newest checkpoint that reads back.
#include <cstdint>
#include <functional>
#include <string>

#include "mmn/train/batch_loader.h"

namespace mmn {

class CheckpointDirectory;
class Communicator;
class MmnModel;
class Optimizer;

struct ResumePoint {
  std::uint64_t step = 0;  // 0: no checkpoint, a fresh start
  LoaderPosition position;
  std::string checkpoint;
};

// Rank 0 (the one with `checkpoints`; null elsewhere) tries the checkpoints newest first:
// an unreadable one is skipped with a warning and `reset` gives a fresh model and
// optimizer; one that does not fit the configuration (CheckpointMismatch) is an error,
// and so is a directory none of whose checkpoints reads. Every rank then loads the
// chosen one into `model` and `optimizer`.
ResumePoint resume_from_checkpoints(const CheckpointDirectory* checkpoints, const std::string& run_dir,
                                    MmnModel& model, Optimizer& optimizer, const std::function<void()>& reset,
                                    Communicator& comm, bool quiet);

}  // namespace mmn
