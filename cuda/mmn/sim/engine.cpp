// The Engine's block scheduling and its switching between the main stack and the fibers.
#include "mmn/sim/engine.h"

#include <algorithm>
#include <exception>
#include <string>

#include "mmn/sim/asan.h"
#include "mmn/sim/fiber_stacks.h"
#include "mmn/sim/fiber_switch.h"
#include "mmn/sim/kernel_error.h"
#include "mmn/sim/shared_memory.h"

#if MMN_SIM_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace mmn::sim::detail {

namespace fctx = boost::context::detail;

FiberStacks& fiber_stacks() {
  static FiberStacks stacks;
  return stacks;
}

Engine::Engine(const LaunchSpec& spec, const Schedule& schedule, void (*invoke)(const void*), const void* closure)
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

void Engine::run() {
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

// ---- the block -----------------------------------------------------------------------

void Engine::run_block() {
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

void Engine::take_round() {
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

// ---- switching -----------------------------------------------------------------------

void Engine::resume(Thread& t) {
  current_ = &t;
  g_builtins.thread_idx = t.index;
  t.state = State::running;
  start_switch(&main_fake_stack_, t.stack_lowest, t.stack_bytes);
  const fctx::transfer_t back = fctx::jump_fcontext(t.context, this);
  finish_switch(main_fake_stack_, nullptr, nullptr);
  t.context = back.fctx;
}

void Engine::suspend() {
  Thread& me = *current_;
  start_switch(&me.fake_stack, main_stack_lowest_, main_stack_bytes_);
  const fctx::transfer_t back = fctx::jump_fcontext(main_context_, nullptr);
  finish_switch(me.fake_stack, &main_stack_lowest_, &main_stack_bytes_);
  main_context_ = back.fctx;
  if (unwinding_) throw ForcedUnwind{};
}

void Engine::fiber_entry(fctx::transfer_t from) {
  auto* engine = static_cast<Engine*>(from.data);
  finish_switch(nullptr, &engine->main_stack_lowest_, &engine->main_stack_bytes_);
  engine->main_context_ = from.fctx;
  engine->fiber_loop();
}

void Engine::fiber_loop() {
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

void Engine::abort_block() {
  unwinding_ = true;
  for (Thread& t : threads_) {
    if (t.in_kernel) resume(t);
  }
  fiber_stacks().forget_frames();
  std::rethrow_exception(error_);
}

}  // namespace mmn::sim::detail
