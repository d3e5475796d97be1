#pragma once
// What a launch on the emulator throws when a kernel breaks the CUDA execution model
// (divergent barrier, warp collective waiting for lanes that never arrive, bad launch
// configuration). The fibers of the launch are unwound before it is thrown.
#include <stdexcept>

namespace mmn::sim {

class KernelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace mmn::sim
