#pragma once
// The emulator's error tests' common check: a launch that breaks the CUDA execution model
// throws a KernelError naming the problem, in every thread order.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mmn/device/run_in_all_orders.h"
#include "mmn/sim/kernel_error.h"
#include "mmn/sim/schedule.h"

namespace mmn::sim_test {

// Runs `launch` in every order; each must throw a KernelError whose message has all `parts`.
template <typename Launch>
void expect_kernel_error_in_every_order(Launch launch, const std::vector<std::string>& parts) {
  for (const sim::Schedule& schedule : sim::all_orders()) {
    sim::ScopedSchedule scoped(schedule);
    try {
      launch();
      ADD_FAILURE() << "no KernelError in order " << sim::to_string(schedule);
    } catch (const sim::KernelError& e) {
      for (const std::string& part : parts) EXPECT_THAT(e.what(), ::testing::HasSubstr(part)) << sim::to_string(schedule);
    }
  }
}

}  // namespace mmn::sim_test
