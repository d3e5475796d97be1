#include "mmn/train/resume.h"

#include <fmt/format.h>

#include "mmn/comm/communicator.h"
#include "mmn/train/checkpoint.h"
#include "mmn/util/error.h"

namespace mmn {
namespace {

// Rank 0's pick: the newest checkpoint that reads back, or "" when there is none.
std::string choose_checkpoint(const CheckpointDirectory& checkpoints, const std::string& run_dir, MmnModel& model,
                              Optimizer& optimizer, const std::function<void()>& reset, bool quiet) {
  const std::vector<std::string> found = checkpoints.list();
  for (const auto& path : found) {
    try {
      const CheckpointState state = read_checkpoint(path, model, optimizer);
      if (path != found.front())
        fmt::print(stderr,
                   "mmn: warning: the newest checkpoint is unreadable; resuming from the previous good one, {} "
                   "(step {})\n",
                   path, state.step);
      return path;
    } catch (const CheckpointMismatch&) {
      throw;
    } catch (const Error& e) {
      fmt::print(stderr, "mmn: warning: skipping unreadable checkpoint: {}\n", e.what());
      reset();
    }
  }
  if (!found.empty())
    fail("{}: none of its {} checkpoints could be read; nothing to resume from", run_dir, found.size());
  if (!quiet) fmt::print("no checkpoint in {}: starting from step 0\n", run_dir);
  return {};
}

}  // namespace

ResumePoint resume_from_checkpoints(const CheckpointDirectory* checkpoints, const std::string& run_dir,
                                    MmnModel& model, Optimizer& optimizer, const std::function<void()>& reset,
                                    Communicator& comm, bool quiet) {
  std::string chosen;
  if (checkpoints != nullptr) chosen = choose_checkpoint(*checkpoints, run_dir, model, optimizer, reset, quiet);
  comm.broadcast(chosen, 0);
  if (chosen.empty()) return {};
  const CheckpointState state = read_checkpoint(chosen, model, optimizer);
  if (checkpoints != nullptr && !quiet) fmt::print("resuming from {} (step {})\n", chosen, state.step);
  return {state.step, state.position, chosen};
}

}  // namespace mmn
