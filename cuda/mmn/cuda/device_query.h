#pragma once
// What CUDA devices this process can use. Safe to call on a machine without a
// GPU or driver: it then reports zero devices and the reason.
#include <string>

namespace mmn::cuda {

struct DeviceReport {
  int count = 0;
  std::string reason;  // why count is 0, when it is
};

DeviceReport query_devices();

// Runs a one-block kernel that writes its thread indices, and checks them:
// proof that the compiled device code runs. Returns false when no device is present.
bool self_test_kernel();

}  // namespace mmn::cuda
