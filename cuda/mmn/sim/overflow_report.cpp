#include "mmn/sim/overflow_report.h"

#include <unistd.h>

#include <cstdlib>

#include "mmn/sim/asan.h"
#include "mmn/sim/fiber_stacks.h"

namespace mmn::sim::detail {
namespace {

// Read by the signal handler; set only while one launch (under the launch mutex) runs.
const FiberStacks* g_stacks = nullptr;
const std::string* g_message = nullptr;
struct sigaction g_previous_action {};

void on_segv(int signal, siginfo_t* info, void* context) {
  if (g_stacks && g_message && g_stacks->is_guard_page(info->si_addr)) {
    [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, g_message->data(), g_message->size());
    std::abort();
  }
  // Not ours: put the previous handler back; the faulting instruction runs again under it.
  sigaction(signal, &g_previous_action, nullptr);
  (void)context;
}

}  // namespace

OverflowReport::OverflowReport(const FiberStacks& stacks, const char* kernel_name) {
  if (MMN_SIM_ASAN) return;
  message_ = "mmn::sim: kernel '" + std::string(kernel_name) + "' overflowed its fiber stack of " +
             std::to_string(stacks.stack_bytes() / 1024) +
             " KiB per thread; give it more with MMN_SIM_STACK_KIB or mmn::sim::set_fiber_stack_bytes\n";
  signal_stack_.resize(64 * 1024);
  stack_t alternate{};
  alternate.ss_sp = signal_stack_.data();
  alternate.ss_size = signal_stack_.size();
  if (sigaltstack(&alternate, &previous_stack_) != 0) return;
  struct sigaction action {};
  action.sa_sigaction = &on_segv;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  if (sigaction(SIGSEGV, &action, &previous_action_) != 0) {
    sigaltstack(&previous_stack_, nullptr);
    return;
  }
  g_previous_action = previous_action_;
  g_stacks = &stacks;
  g_message = &message_;
  installed_ = true;
}

OverflowReport::~OverflowReport() {
  if (!installed_) return;
  g_stacks = nullptr;
  g_message = nullptr;
  sigaction(SIGSEGV, &previous_action_, nullptr);
  sigaltstack(&previous_stack_, nullptr);
}

}  // namespace mmn::sim::detail
