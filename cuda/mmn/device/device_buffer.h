#pragma once
// An array in device memory with upload/download: cudaMalloc'd under nvcc (a failed call
// throws a DeviceError, mmn/device/cuda_check.h); under the emulator a host array of exactly
// `size` elements (so AddressSanitizer sees overruns) that starts out filled with bytes 0xff,
// as uninitialised device memory has no defined value.
#include <cstddef>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "mmn/device/kernel_api.h"
#if defined(__CUDACC__)
#include "mmn/device/cuda_check.h"
#endif

namespace mmn {

template <typename T>
class DeviceBuffer {
  static_assert(std::is_trivially_copyable_v<T>, "DeviceBuffer holds trivially copyable elements");

 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t size) : size_(size) { allocate(); }
  explicit DeviceBuffer(const std::vector<T>& host) : DeviceBuffer(host.size()) { upload(host); }
  ~DeviceBuffer() { release(); }
  DeviceBuffer(DeviceBuffer&& other) noexcept : data_(other.data_), size_(other.size_) {
    other.data_ = nullptr;
    other.size_ = 0;
  }
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    if (this != &other) {
      release();
      data_ = other.data_;
      size_ = other.size_;
      other.data_ = nullptr;
      other.size_ = 0;
    }
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return size_; }

  void upload(const std::vector<T>& host) {
    if (host.size() != size_) {
      throw std::invalid_argument("DeviceBuffer::upload: " + std::to_string(host.size()) +
                                  " elements into a buffer of " + std::to_string(size_));
    }
    copy(data_, host.data(), true);
  }

  std::vector<T> download() const {
    std::vector<T> host(size_);
    copy(host.data(), data_, false);
    return host;
  }

 private:
#if defined(__CUDACC__)
  void allocate() {
    if (size_ > 0) MMN_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&data_), size_ * sizeof(T)));
  }
  void release() {
    if (data_) cudaFree(data_);
    data_ = nullptr;
  }
  void copy(T* to, const T* from, bool to_device) const {
    const cudaMemcpyKind kind = to_device ? cudaMemcpyHostToDevice : cudaMemcpyDeviceToHost;
    if (size_ > 0) MMN_CUDA_CHECK(cudaMemcpy(to, from, size_ * sizeof(T), kind));
  }
#else
  void allocate() {
    data_ = static_cast<T*>(::operator new[](size_ * sizeof(T)));
    std::memset(static_cast<void*>(data_), 0xff, size_ * sizeof(T));
  }
  void release() {
    ::operator delete[](data_);
    data_ = nullptr;
  }
  void copy(T* to, const T* from, bool /*to_device*/) const {
    if (size_ > 0) std::memcpy(static_cast<void*>(to), from, size_ * sizeof(T));
  }
#endif

  T* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace mmn
