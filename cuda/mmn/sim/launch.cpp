// The emulator's entry points: a launch (checked, then run by an Engine, one launch at a
// time) and the sync intrinsics, which reach the Engine of the running launch.
#include <cstdint>
#include <mutex>
#include <string>

#include "mmn/sim/engine.h"
#include "mmn/sim/kernel_error.h"
#include "mmn/sim/messages.h"
#include "mmn/sim/overflow_report.h"
#include "mmn/sim/runtime.h"
#include "mmn/sim/schedule.h"

namespace mmn::sim::detail {

Builtins g_builtins;

namespace {

constexpr unsigned kMaxThreads = 1024;
constexpr std::size_t kMaxDynamicShared = 227 * 1024;  // sm_90 opt-in limit per block

Engine* g_engine = nullptr;
thread_local bool t_launching = false;
std::mutex g_launch_mutex;

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

void kernel_fail(const std::string& problem) { engine_for(problem.c_str()).fail(problem); }

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
