// The Engine's error messages: which launch, block and thread order failed, and where every
// thread of the block stands.
#include <map>
#include <string>
#include <vector>

#include "mmn/sim/engine.h"
#include "mmn/sim/kernel_error.h"
#include "mmn/sim/messages.h"

namespace mmn::sim::detail {

void Engine::fail_now(const std::string& problem) {
  throw KernelError(header() + problem + "\n" + describe_threads());
}

void Engine::set_error(const std::string& problem) {
  if (!error_) error_ = std::make_exception_ptr(KernelError(header() + problem + "\n" + describe_threads()));
}

std::string Engine::header() const {
  const uint3 b = g_builtins.block_idx;
  return "mmn::sim: kernel '" + std::string(spec_.kernel_name) + "' (thread order " + to_string(schedule_) +
         "), block " + triple(b.x, b.y, b.z) + " of grid " + triple(spec_.grid.x, spec_.grid.y, spec_.grid.z) +
         ", blockDim " + triple(spec_.block.x, spec_.block.y, spec_.block.z) + ": ";
}

std::string Engine::describe_threads() const {
  std::map<std::string, std::vector<unsigned>> groups;
  for (const Thread& t : threads_) {
    std::string what;
    switch (t.state) {
      case State::ready: what = "ready"; break;
      case State::running: what = "running"; break;
      case State::exited: what = "exited"; break;
      case State::at_active_mask: what = "wait at __activemask"; break;
      case State::at_barrier: what = "wait at " + std::string(t.barrier_name) + " (" + where(t.barrier_site) + ")"; break;
      case State::at_warp: {
        const WarpCall& call = warps_[t.linear / kWarp].calls[t.linear % kWarp];
        what = "wait at " + std::string(call.name) + " (" + where(call.site) + ") with mask " + hex(call.mask);
        break;
      }
    }
    groups[what].push_back(t.linear);
  }
  std::string text;
  for (const auto& [what, ids] : groups) text += "  threads " + thread_list(ids) + ": " + what + "\n";
  return text;
}

}  // namespace mmn::sim::detail
