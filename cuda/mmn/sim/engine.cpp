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

#include <algorithm>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mmn/sim/asan.h"
#include "mmn/sim/fiber_stacks.h"
#include "mmn/sim/kernel_error.h"
#include "mmn/sim/runtime.h"
#include "mmn/sim/schedule.h"
#include "mmn/sim/shared_memory.h"
#include "mmn/sim/fiber_switch.h"
#include "mmn/sim/messages.h"
#include "mmn/sim/overflow_report.h"
#include "mmn/sim/split_mix.h"
#include "mmn/sim/warp_collective.h"

#if MMN_SIM_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace mmn::sim::detail {

Builtins g_builtins;

namespace {

namespace fctx = boost::context::detail;

constexpr unsigned kWarp = kWarpSize;
constexpr unsigned kMaxThreads = 1024;
constexpr std::size_t kMaxDynamicShared = 227 * 1024;  // sm_90 opt-in limit per block

enum class State : std::uint8_t { ready, running, at_barrier, at_warp, at_active_mask, exited };

struct ForcedUnwind {};

struct Thread {
  fctx::fcontext_t context = nullptr;
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

bool same_site(Site a, Site b) {
  return a.line == b.line && (a.file == b.file || (a.file && b.file && std::strcmp(a.file, b.file) == 0));
}

class Engine;
Engine* g_engine = nullptr;
thread_local bool t_launching = false;
std::mutex g_launch_mutex;

FiberStacks& fiber_stacks() {
  static FiberStacks stacks;
  return stacks;
}

class Engine {
 public:
  Engine(const LaunchSpec& spec, const Schedule& schedule, void (*invoke)(const void*), const void* closure)
      : spec_(spec), schedule_(schedule), invoke_(invoke), closure_(closure), rng_(schedule.seed) {
    const dim3 b = spec.block;
    thread_count_ = b.x * b.y * b.z;
    threads_.resize(thread_count_);
    warps_.resize((thread_count_ + kWarp - 1) / kWarp);
    ready_.assign((thread_count_ + 63) / 64, 0);
    FiberStacks& stacks = fiber_stacks();
    stacks.reserve(thread_count_, fiber_stack_bytes());
    for (unsigned i = 0; i < thread_count_; ++i) {
      Thread& t = threads_[i];
      t.linear = i;
      t.index = uint3{i % b.x, (i / b.x) % b.y, i / (b.x * b.y)};
      t.stack_lowest = stacks.lowest(i);
      t.stack_bytes = stacks.stack_bytes();
#if MMN_SIM_ASAN
      // The previous launch's fibers stay parked at the top of their stacks; their frames
      // never return, so clear the shadow they left before new frames go there.
      constexpr std::size_t kParkedFrameBytes = 16 * 1024;
      ASAN_UNPOISON_MEMORY_REGION(t.stack_lowest + t.stack_bytes - kParkedFrameBytes, kParkedFrameBytes);
#endif
      // Stack tops staggered by cache lines: tops a page multiple apart would all compete for
      // the same few cache sets when the scheduler switches among hundreds of fibers.
      const std::size_t stagger = (i % 64) * 64;
      t.context = fctx::make_fcontext(t.stack_lowest + t.stack_bytes - stagger, t.stack_bytes - stagger,
                                      &Engine::fiber_entry);
    }
    dynamic_shared_.reset(new unsigned char[spec.dynamic_shared_bytes]);
  }

  void run() {
    const dim3 g = spec_.grid;
    const std::uint64_t blocks = std::uint64_t{g.x} * g.y * g.z;
    std::vector<std::uint64_t> random_order;
    if (schedule_.order == Order::random) {
      random_order.resize(blocks);
      for (std::uint64_t i = 0; i < blocks; ++i) random_order[i] = i;
      rng_.shuffle(random_order);
    }
    for (std::uint64_t n = 0; n < blocks; ++n) {
      std::uint64_t id = schedule_.order == Order::forward   ? n
                         : schedule_.order == Order::reverse ? blocks - 1 - n
                                                             : random_order[n];
      g_builtins.block_idx = uint3{static_cast<unsigned>(id % g.x), static_cast<unsigned>((id / g.x) % g.y),
                                   static_cast<unsigned>(id / (std::uint64_t{g.x} * g.y))};
      run_block();
    }
  }

  // ---- called on fibers -------------------------------------------------------------

  std::uint64_t warp_call(const WarpCall& call) {
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

  int block_barrier(const char* name, Site site, BarrierOp op, int predicate) {
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

  // The lanes that reach __activemask together: the caller waits until every lane of its
  // warp has exited or waits somewhere; the result names the lanes waiting here.
  unsigned active_mask() {
    Thread& me = *current_;
    Warp& warp = warps_[me.linear / kWarp];
    me.state = State::at_active_mask;
    warp.at_active_mask |= 1u << (me.linear % kWarp);
    release_active_mask(warp, me.linear / kWarp * kWarp);
    suspend();
    return static_cast<unsigned>(me.result);
  }

  void* dynamic_shared() const { return dynamic_shared_.get(); }

 private:
  // ---- the block ---------------------------------------------------------------------

  void run_block() {
    for (Thread& t : threads_) t.state = State::ready;
    for (std::size_t w = 0; w < warps_.size(); ++w) {
      const unsigned lanes = std::min(kWarp, thread_count_ - static_cast<unsigned>(w) * kWarp);
      Warp& warp = warps_[w];
      warp.lanes = lanes == kWarp ? ~0u : (1u << lanes) - 1;
      warp.exited = warp.waiting = warp.at_barrier = warp.at_active_mask = 0;
    }
    std::fill(ready_.begin(), ready_.end(), ~std::uint64_t{0});
    if (thread_count_ % 64) ready_.back() = (std::uint64_t{1} << (thread_count_ % 64)) - 1;
    exited_count_ = 0;
    barrier_arrived_ = 0;
    poison_dynamic_shared_memory(dynamic_shared_.get(), spec_.dynamic_shared_bytes);

    for (;;) {
      take_round();
      if (round_.empty()) break;
      for (unsigned id : round_) {
        resume(threads_[id]);
        if (error_) abort_block();
      }
    }
    if (exited_count_ != thread_count_) {
      error_ = std::make_exception_ptr(
          KernelError(header() + "deadlock: no thread can go on\n" + describe_threads()));
      abort_block();
    }
  }

  void take_round() {
    round_.clear();
    for (std::size_t w = 0; w < ready_.size(); ++w) {
      for (std::uint64_t bits = ready_[w]; bits; bits &= bits - 1) {
        round_.push_back(static_cast<unsigned>(w * 64 + static_cast<unsigned>(__builtin_ctzll(bits))));
      }
      ready_[w] = 0;
    }
    if (schedule_.order == Order::reverse) std::reverse(round_.begin(), round_.end());
    if (schedule_.order == Order::random) rng_.shuffle(round_);
  }

  void make_ready(unsigned id) {
    threads_[id].state = State::ready;
    ready_[id / 64] |= std::uint64_t{1} << (id % 64);
  }

  void release_active_mask(Warp& warp, unsigned first) {
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

  void release_barrier() {
    for (Warp& warp : warps_) warp.at_barrier = 0;
    const int result = barrier_op_ == BarrierOp::count ? static_cast<int>(barrier_count_)
                       : barrier_op_ == BarrierOp::all ? barrier_count_ == thread_count_
                       : barrier_op_ == BarrierOp::any ? barrier_count_ > 0
                                                       : 0;
    for (Thread& t : threads_) t.result = static_cast<std::uint64_t>(result);
    barrier_arrived_ = 0;
    for (unsigned i = 0; i < thread_count_; ++i) make_ready(i);
  }

  // Completes the collective `call` of the warp starting at thread `first` if every lane of
  // its mask waits at a collective of the same kind and mask.
  void try_complete(Warp& warp, unsigned first, const WarpCall& call) {
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

  void on_exit(Thread& me) {
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

  // ---- switching ---------------------------------------------------------------------

  void resume(Thread& t) {
    current_ = &t;
    g_builtins.thread_idx = t.index;
    t.state = State::running;
    start_switch(&main_fake_stack_, t.stack_lowest, t.stack_bytes);
    const fctx::transfer_t back = fctx::jump_fcontext(t.context, this);
    finish_switch(main_fake_stack_, nullptr, nullptr);
    t.context = back.fctx;
  }

  void suspend() {
    Thread& me = *current_;
    start_switch(&me.fake_stack, main_stack_lowest_, main_stack_bytes_);
    const fctx::transfer_t back = fctx::jump_fcontext(main_context_, nullptr);
    finish_switch(me.fake_stack, &main_stack_lowest_, &main_stack_bytes_);
    main_context_ = back.fctx;
    if (unwinding_) throw ForcedUnwind{};
  }

  static void fiber_entry(fctx::transfer_t from) {
    auto* engine = static_cast<Engine*>(from.data);
    finish_switch(nullptr, &engine->main_stack_lowest_, &engine->main_stack_bytes_);
    engine->main_context_ = from.fctx;
    engine->fiber_loop();
  }

  [[noreturn]] void fiber_loop() {
    for (;;) {
      Thread& me = *current_;
      me.in_kernel = true;
      try {
        invoke_(closure_);
      } catch (const ForcedUnwind&) {
      } catch (...) {
        if (!error_) error_ = std::current_exception();
      }
      me.in_kernel = false;
      if (!unwinding_ && !error_) on_exit(me);
      me.state = State::exited;
      start_switch(&me.fake_stack, main_stack_lowest_, main_stack_bytes_);
      const fctx::transfer_t back = fctx::jump_fcontext(main_context_, nullptr);
      finish_switch(me.fake_stack, &main_stack_lowest_, &main_stack_bytes_);
      main_context_ = back.fctx;
    }
  }

  // ---- errors ------------------------------------------------------------------------

  [[noreturn]] void fail_now(const std::string& problem) { throw KernelError(header() + problem + "\n" + describe_threads()); }

  void set_error(const std::string& problem) {
    if (!error_) error_ = std::make_exception_ptr(KernelError(header() + problem + "\n" + describe_threads()));
  }

  [[noreturn]] void abort_block() {
    unwinding_ = true;
    for (Thread& t : threads_) {
      if (t.in_kernel) resume(t);
    }
    fiber_stacks().forget_frames();
    std::rethrow_exception(error_);
  }

  std::string header() const {
    const uint3 b = g_builtins.block_idx;
    return "mmn::sim: kernel '" + std::string(spec_.kernel_name) + "' (thread order " + to_string(schedule_) +
           "), block " + triple(b.x, b.y, b.z) + " of grid " + triple(spec_.grid.x, spec_.grid.y, spec_.grid.z) +
           ", blockDim " + triple(spec_.block.x, spec_.block.y, spec_.block.z) + ": ";
  }

  std::string describe_threads() const {
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
  fctx::fcontext_t main_context_ = nullptr;
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

Engine& engine_for(const char* what) {
  if (!g_engine) throw KernelError(std::string("mmn::sim: ") + what + " called outside a kernel launch");
  return *g_engine;
}

void check_launch(const LaunchSpec& spec) {
  const dim3 b = spec.block;
  const dim3 g = spec.grid;
  std::string problem;
  if (b.x == 0 || b.y == 0 || b.z == 0 || b.x > 1024 || b.y > 1024 || b.z > 64 ||
      std::uint64_t{b.x} * b.y * b.z > kMaxThreads) {
    problem = "blockDim " + triple(b.x, b.y, b.z) + " is outside x,y <= 1024, z <= 64, x*y*z in [1, 1024]";
  } else if (g.x == 0 || g.y == 0 || g.z == 0 || g.x > 0x7fffffffu || g.y > 65535 || g.z > 65535) {
    problem = "gridDim " + triple(g.x, g.y, g.z) + " is outside x in [1, 2^31-1], y,z in [1, 65535]";
  } else if (spec.dynamic_shared_bytes > kMaxDynamicShared) {
    problem = std::to_string(spec.dynamic_shared_bytes) + " bytes of dynamic shared memory exceed " +
              std::to_string(kMaxDynamicShared);
  }
  if (!problem.empty()) {
    throw KernelError("mmn::sim: kernel '" + std::string(spec.kernel_name) + "': invalid launch configuration: " +
                      problem);
  }
}

}  // namespace

std::uint64_t warp_call(const WarpCall& call) { return engine_for(call.name).warp_call(call); }

int block_barrier(const char* name, Site site, BarrierOp op, int predicate) {
  return engine_for(name).block_barrier(name, site, op, predicate);
}

unsigned active_mask() { return engine_for("__activemask").active_mask(); }

void* dynamic_shared_memory() { return engine_for("dynamic shared memory").dynamic_shared(); }

void run_launch(const LaunchSpec& spec, void (*invoke)(const void*), const void* closure) {
  if (t_launching) {
    throw KernelError("mmn::sim: kernel '" + std::string(spec.kernel_name) +
                      "' launched from inside a kernel: dynamic parallelism is not emulated");
  }
  check_launch(spec);
  const Schedule schedule = current_schedule();
  std::lock_guard lock(g_launch_mutex);
  t_launching = true;
  struct Reset {
    ~Reset() {
      g_engine = nullptr;
      t_launching = false;
    }
  } reset;
  Engine engine(spec, schedule, invoke, closure);
  const OverflowReport overflow_report(fiber_stacks(), spec.kernel_name);
  g_engine = &engine;
  g_builtins.grid_dim = spec.grid;
  g_builtins.block_dim = spec.block;
  engine.run();
}

}  // namespace mmn::sim::detail
