#pragma once
// The one exception of the CUDA side: a failed CUDA call (mmn/device/cuda_check.h) or a request
// the device model cannot serve. An mmn::Error, so the user reads it as such: "CUDA backend: "
// then the place and the reason.
#include <string>

#include "mmn/util/error.h"

namespace mmn::device {

class DeviceError : public Error {
 public:
  explicit DeviceError(const std::string& what) : Error("CUDA backend: " + what) {}
};

}  // namespace mmn::device
