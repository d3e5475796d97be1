// The Engine's sync points (warp collectives, block barriers, __activemask) and the release
// of the threads that wait at them.
#include <cstring>
#include <string>

#include "mmn/sim/engine.h"
#include "mmn/sim/messages.h"

namespace mmn::sim::detail {

namespace {

bool same_site(Site a, Site b) {
  return a.line == b.line && (a.file == b.file || (a.file && b.file && std::strcmp(a.file, b.file) == 0));
}

}  // namespace

// ---- called on fibers ----------------------------------------------------------------

std::uint64_t Engine::warp_call(const WarpCall& call) {
  Thread& me = *current_;
  const unsigned lane = me.linear % kWarp;
  Warp& warp = warps_[me.linear / kWarp];
  const unsigned bit = 1u << lane;
  if (!(call.mask & bit)) {
    fail_now(call.name + std::string(" at ") + where(call.site) + ": thread " + std::to_string(me.linear) +
             " (lane " + std::to_string(lane) + ") calls it with mask " + hex(call.mask) +
             ", which does not name the calling lane");
  }
  if (call.mask & ~warp.lanes) {
    fail_now(call.name + std::string(" at ") + where(call.site) + ": mask " + hex(call.mask) + " names lanes " +
             lane_list(call.mask & ~warp.lanes) + " of warp " + std::to_string(me.linear / kWarp) +
             ", which do not exist (the block has " + std::to_string(thread_count_) + " threads)");
  }
  if (call.mask & warp.exited) {
    fail_now(call.name + std::string(" at ") + where(call.site) + ": mask " + hex(call.mask) + " names lanes " +
             lane_list(call.mask & warp.exited) + " of warp " + std::to_string(me.linear / kWarp) +
             ", which have exited");
  }
  if (call.kind == Collective::shuffle && (call.width < 1 || call.width > 32 || (call.width & (call.width - 1)))) {
    fail_now(call.name + std::string(" at ") + where(call.site) + ": width " + std::to_string(call.width) +
             " is not a power of two from 1 to 32");
  }
  warp.calls[lane] = call;
  me.state = State::at_warp;
  warp.waiting |= bit;
  if ((warp.waiting & call.mask) == call.mask) try_complete(warp, me.linear - lane, call);
  release_active_mask(warp, me.linear - lane);
  suspend();
  return me.result;
}

int Engine::block_barrier(const char* name, Site site, BarrierOp op, int predicate) {
  Thread& me = *current_;
  if (exited_count_ > 0) {
    fail_now(std::string("divergent ") + name + ": thread " + std::to_string(me.linear) + " waits at " +
             where(site) + " for threads that have exited");
  }
  if (barrier_arrived_ > 0 && (!same_site(site, barrier_site_) || op != barrier_op_)) {
    fail_now(std::string("divergent barrier: thread ") + std::to_string(me.linear) + " arrives at " + name +
             " (" + where(site) + ") while others wait at " + barrier_name_ + " (" + where(barrier_site_) + ")");
  }
  if (barrier_arrived_ == 0) {
    barrier_site_ = site;
    barrier_op_ = op;
    barrier_name_ = name;
    barrier_count_ = 0;
  }
  me.state = State::at_barrier;
  me.barrier_name = name;
  me.barrier_site = site;
  barrier_count_ += predicate != 0;
  Warp& warp = warps_[me.linear / kWarp];
  warp.at_barrier |= 1u << (me.linear % kWarp);
  if (++barrier_arrived_ == thread_count_) {
    release_barrier();
  } else {
    release_active_mask(warp, me.linear / kWarp * kWarp);
  }
  suspend();
  return static_cast<int>(me.result);
}

unsigned Engine::active_mask() {
  Thread& me = *current_;
  Warp& warp = warps_[me.linear / kWarp];
  me.state = State::at_active_mask;
  warp.at_active_mask |= 1u << (me.linear % kWarp);
  release_active_mask(warp, me.linear / kWarp * kWarp);
  suspend();
  return static_cast<unsigned>(me.result);
}

// ---- releasing waiting threads -------------------------------------------------------

void Engine::release_active_mask(Warp& warp, unsigned first) {
  if (!warp.at_active_mask ||
      (warp.waiting | warp.at_barrier | warp.at_active_mask | warp.exited) != warp.lanes) {
    return;
  }
  const unsigned mask = warp.at_active_mask;
  warp.at_active_mask = 0;
  for (unsigned bits = mask; bits; bits &= bits - 1) {
    const unsigned id = first + static_cast<unsigned>(__builtin_ctz(bits));
    threads_[id].result = mask;
    make_ready(id);
  }
}

void Engine::release_barrier() {
  for (Warp& warp : warps_) warp.at_barrier = 0;
  const int result = barrier_op_ == BarrierOp::count ? static_cast<int>(barrier_count_)
                     : barrier_op_ == BarrierOp::all ? barrier_count_ == thread_count_
                     : barrier_op_ == BarrierOp::any ? barrier_count_ > 0
                                                     : 0;
  for (Thread& t : threads_) t.result = static_cast<std::uint64_t>(result);
  barrier_arrived_ = 0;
  for (unsigned i = 0; i < thread_count_; ++i) make_ready(i);
}

void Engine::try_complete(Warp& warp, unsigned first, const WarpCall& call) {
  const unsigned mask = call.mask;
  for (unsigned bits = mask; bits; bits &= bits - 1) {
    const WarpCall& other = warp.calls[__builtin_ctz(bits)];
    if (other.mask != mask || other.kind != call.kind) return;
  }
  complete_collective(warp.calls, mask, warp.results);
  warp.waiting &= ~mask;
  for (unsigned bits = mask; bits; bits &= bits - 1) {
    const unsigned lane = static_cast<unsigned>(__builtin_ctz(bits));
    threads_[first + lane].result = warp.results[lane];
    make_ready(first + lane);
  }
}

void Engine::on_exit(Thread& me) {
  const unsigned lane = me.linear % kWarp;
  Warp& warp = warps_[me.linear / kWarp];
  warp.exited |= 1u << lane;
  ++exited_count_;
  release_active_mask(warp, me.linear - lane);
  if (barrier_arrived_ > 0) {
    set_error("divergent " + std::string(barrier_name_) + ": thread " + std::to_string(me.linear) +
              " exits while threads wait at " + where(barrier_site_));
    return;
  }
  for (unsigned bits = warp.waiting; bits; bits &= bits - 1) {
    const WarpCall& other = warp.calls[__builtin_ctz(bits)];
    if (other.mask & (1u << lane)) {
      set_error(std::string(other.name) + " at " + where(other.site) + ": mask " + hex(other.mask) +
                " names lane " + std::to_string(lane) + " of warp " + std::to_string(me.linear / kWarp) +
                ", which exits instead of arriving");
      return;
    }
  }
}

}  // namespace mmn::sim::detail
