#include <map>
#include <mutex>

#include "mmn/backend/cpu_backend.h"
#include "mmn/backend/training_backend.h"
#include "mmn/util/error.h"

namespace mmn {
namespace {

std::mutex registry_mutex;
std::map<std::string, BackendRegistration>& registry() {
  static std::map<std::string, BackendRegistration> r;
  return r;
}

// The registration of `device`, or an empty one.
BackendRegistration registered(const std::string& device) {
  const std::lock_guard<std::mutex> lock(registry_mutex);
  const auto found = registry().find(device);
  return found != registry().end() ? found->second : BackendRegistration{};
}

void check_device_name(const std::string& device) {
  if (device != "cpu" && device != "cuda" && device != "auto")
    fail("train.device must be cpu, cuda or auto (got '{}')", device);
}

}  // namespace

void register_backend(const std::string& device, BackendRegistration registration) {
  const std::lock_guard<std::mutex> lock(registry_mutex);
  registry()[device] = std::move(registration);
}

std::string resolve_device(const std::string& device) {
  check_device_name(device);
  if (device == "cpu") return device;
  const BackendRegistration cuda = registered("cuda");
  if (!cuda.make) {
    if (device == "auto") return "cpu";
    fail("train.device = \"cuda\": this mmn was built without the CUDA backend (no nvcc at build time); use cpu or "
         "auto");
  }
  if (const auto why = cuda.unavailable_reason()) {
    if (device == "auto") return "cpu";
    fail("train.device = \"cuda\": {}; use cpu or auto", *why);
  }
  return "cuda";
}

std::string resolve_device(const std::string& device, Precision precision) {
  const std::string resolved = resolve_device(device);
  if (resolved == "cpu" && precision != Precision::fp32)
    fail("train.precision = \"{}\" runs on the CUDA backend's tensor cores, and train.device = \"{}\" trains on "
         "the CPU, which computes in fp32: set train.precision = \"fp32\"{}",
         precision_name(precision), device,
         device == "cpu" ? " or train.device = \"cuda\"" : " (no usable GPU here)");
  return resolved;
}

std::unique_ptr<TrainingBackend> make_backend(const std::string& device, const BackendContext& context) {
  if (resolve_device(device, context.precision) == "cpu") return make_cpu_backend(context);
  return registered("cuda").make(context);
}

}  // namespace mmn
