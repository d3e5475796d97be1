#pragma once
// The emulator proper: runs a launch's blocks one after another, each block's threads as
// fibers on the calling OS thread, switching at barriers and warp collectives.
//
// Scheduling is in rounds: a round runs every ready thread once, in the schedule's order,
// each until its next sync point or its exit; threads released by a barrier or a completed
// warp collective become ready for the next round. A block whose round is empty while some
// threads still wait is deadlocked, which is reported as a KernelError, as are the waits
// that can be seen to be hopeless as soon as they start (a barrier after a thread exited,
// a mask naming an exited or missing lane).
#include <boost/context/detail/fcontext.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "mmn/sim/runtime.h"
#include "mmn/sim/schedule.h"
#include "mmn/sim/split_mix.h"
#include "mmn/sim/warp_collective.h"

namespace mmn::sim::detail {

class FiberStacks;

// The stacks of every launch's fibers, kept between launches.
FiberStacks& fiber_stacks();

class Engine {
 public:
  Engine(const LaunchSpec& spec, const Schedule& schedule, void (*invoke)(const void*), const void* closure);

  void run();

  // ---- called on fibers -------------------------------------------------------------

  std::uint64_t warp_call(const WarpCall& call);
  int block_barrier(const char* name, Site site, BarrierOp op, int predicate);
  // The lanes that reach __activemask together: the caller waits until every lane of its
  // warp has exited or waits somewhere; the result names the lanes waiting here.
  unsigned active_mask();

  void* dynamic_shared() const { return dynamic_shared_.get(); }
  [[noreturn]] void fail(const std::string& problem) { fail_now(problem); }

 private:
  static constexpr unsigned kWarp = kWarpSize;

  enum class State : std::uint8_t { ready, running, at_barrier, at_warp, at_active_mask, exited };

  struct ForcedUnwind {};

  struct Thread {
    boost::context::detail::fcontext_t context = nullptr;
    void* fake_stack = nullptr;
    unsigned char* stack_lowest = nullptr;
    std::size_t stack_bytes = 0;
    uint3 index{0, 0, 0};
    unsigned linear = 0;
    State state = State::ready;
    bool in_kernel = false;
    const char* barrier_name = nullptr;  // when at_barrier
    Site barrier_site{nullptr, 0};
    std::uint64_t result = 0;  // of the sync point it waits at
  };

  struct Warp {
    unsigned lanes = 0;    // lanes that exist (the last warp of a block may be partial)
    unsigned exited = 0;
    unsigned waiting = 0;  // lanes at a warp collective
    unsigned at_barrier = 0;
    unsigned at_active_mask = 0;
    WarpCall calls[kWarp];  // valid for the lanes in `waiting`
    std::uint64_t results[kWarp];
  };

  // ---- the block (engine.cpp) ----------------------------------------------------------

  void run_block();
  void take_round();

  void make_ready(unsigned id) {
    threads_[id].state = State::ready;
    ready_[id / 64] |= std::uint64_t{1} << (id % 64);
  }

  // ---- releasing waiting threads (engine_sync.cpp) -------------------------------------

  void release_active_mask(Warp& warp, unsigned first);
  void release_barrier();
  // Completes the collective `call` of the warp starting at thread `first` if every lane of
  // its mask waits at a collective of the same kind and mask.
  void try_complete(Warp& warp, unsigned first, const WarpCall& call);
  void on_exit(Thread& me);

  // ---- switching (engine.cpp) ----------------------------------------------------------

  void resume(Thread& t);
  void suspend();
  static void fiber_entry(boost::context::detail::transfer_t from);
  [[noreturn]] void fiber_loop();
  [[noreturn]] void abort_block();

  // ---- errors (engine_report.cpp) ------------------------------------------------------

  [[noreturn]] void fail_now(const std::string& problem);
  void set_error(const std::string& problem);
  std::string header() const;
  std::string describe_threads() const;

  LaunchSpec spec_;
  Schedule schedule_;
  void (*invoke_)(const void*);
  const void* closure_;
  SplitMix64 rng_;
  unsigned thread_count_ = 0;
  std::vector<Thread> threads_;
  std::vector<Warp> warps_;
  std::vector<std::uint64_t> ready_;
  std::vector<unsigned> round_;
  std::unique_ptr<unsigned char[]> dynamic_shared_;
  Thread* current_ = nullptr;
  boost::context::detail::fcontext_t main_context_ = nullptr;
  void* main_fake_stack_ = nullptr;
  const void* main_stack_lowest_ = nullptr;
  std::size_t main_stack_bytes_ = 0;
  unsigned exited_count_ = 0;
  unsigned barrier_arrived_ = 0;
  unsigned barrier_count_ = 0;
  const char* barrier_name_ = nullptr;
  Site barrier_site_{nullptr, 0};
  BarrierOp barrier_op_ = BarrierOp::plain;
  bool unwinding_ = false;
  std::exception_ptr error_;
};

}  // namespace mmn::sim::detail
