#pragma once
// A failed CUDA call or a request the device model cannot serve, with the place and the reason.
#include <stdexcept>

namespace mmn::device {

class DeviceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace mmn::device
