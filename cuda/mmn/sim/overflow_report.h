#pragma once
// While a launch runs (outside AddressSanitizer builds, which report stack overflows
// themselves), a fault on a fiber stack's guard page prints which kernel overflowed its
// stack and how to give it more, then aborts, instead of a bare segmentation fault.
#include <csignal>
#include <string>
#include <vector>

namespace mmn::sim::detail {

class FiberStacks;

class OverflowReport {
 public:
  OverflowReport(const FiberStacks& stacks, const char* kernel_name);
  ~OverflowReport();
  OverflowReport(const OverflowReport&) = delete;
  OverflowReport& operator=(const OverflowReport&) = delete;

 private:
  bool installed_ = false;
  std::string message_;
  std::vector<char> signal_stack_;
  stack_t previous_stack_{};
  struct sigaction previous_action_ {};
};

}  // namespace mmn::sim::detail
