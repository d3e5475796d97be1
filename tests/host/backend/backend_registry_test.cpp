// Choosing a training backend from train.device.
#include <gtest/gtest.h>

#include "mmn/backend/training_backend.h"
#include "testing/error_of.h"

namespace mmn {
namespace {

using testing::error_of;

// A stand-in for the CUDA backend's factory: never called by resolve_device.
std::unique_ptr<TrainingBackend> no_backend(const BackendContext&) { return nullptr; }

// This test binary links no CUDA backend: cuda is unknown until a test registers one.
TEST(BackendRegistry, CpuAndAutoWithoutACudaBackend) {
  EXPECT_EQ(resolve_device("cpu"), "cpu");
  EXPECT_EQ(resolve_device("auto"), "cpu");
  EXPECT_NE(error_of([] { resolve_device("cuda"); }).find("this mmn was built without the CUDA backend"),
            std::string::npos);
  EXPECT_NE(error_of([] { resolve_device("gpu"); }).find("train.device must be cpu, cuda or auto (got 'gpu')"),
            std::string::npos);
}

// tf32 and bf16 are the tensor cores': a device that resolves to the CPU refuses them, naming the keys.
TEST(BackendRegistry, TensorCorePrecisionOnTheCpuIsRefused) {
  EXPECT_EQ(resolve_device("cpu", Precision::fp32), "cpu");
  const std::string message = error_of([] { resolve_device("cpu", Precision::bf16); });
  EXPECT_NE(message.find("train.precision = \"bf16\" runs on the CUDA backend's tensor cores, and train.device = "
                         "\"cpu\" trains on the CPU, which computes in fp32: set train.precision = \"fp32\" or "
                         "train.device = \"cuda\""),
            std::string::npos)
      << message;
  const std::string fallback = error_of([] { resolve_device("auto", Precision::tf32); });
  EXPECT_NE(fallback.find("train.precision = \"tf32\""), std::string::npos) << fallback;
  EXPECT_NE(fallback.find("(no usable GPU here)"), std::string::npos) << fallback;
}

TEST(BackendRegistry, ACudaBackendThatCannotRunSaysWhyAndAutoFallsBackToCpu) {
  register_backend("cuda", {[] { return std::optional<std::string>("no CUDA device is visible"); }, no_backend});
  EXPECT_EQ(resolve_device("auto"), "cpu");
  const std::string message = error_of([] { resolve_device("cuda"); });
  EXPECT_NE(message.find("train.device = \"cuda\": no CUDA device is visible; use cpu or auto"), std::string::npos)
      << message;
}

TEST(BackendRegistry, AnAvailableCudaBackendIsWhatAutoPicks) {
  register_backend("cuda", {[] { return std::optional<std::string>(); }, no_backend});
  EXPECT_EQ(resolve_device("auto"), "cuda");
  EXPECT_EQ(resolve_device("cuda"), "cuda");
  EXPECT_EQ(resolve_device("cpu"), "cpu");
  EXPECT_EQ(resolve_device("auto", Precision::bf16), "cuda");
}

}  // namespace
}  // namespace mmn
