#pragma once
// The CUDA runtime calls the device model makes beyond kernel launches: streams, events,
// pinned host memory, asynchronous copies and fills, device memory figures. Under nvcc each
// failed call throws a DeviceError (MMN_CUDA_CHECK, mmn/device/cuda_check.h); under the SIMT
// emulator streams and events are empty handles and copies happen at once, in call order,
// which is an order a GPU may also run them in.
#include <cstddef>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>

#include "mmn/device/kernel_api.h"
#if defined(__CUDACC__)
#include "mmn/device/cuda_check.h"
#endif

namespace mmn::device {

#if defined(__CUDACC__)

class Stream {
 public:
  Stream() { MMN_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking)); }
  ~Stream() { cudaStreamDestroy(stream_); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const { return stream_; }
  void synchronize() const { MMN_CUDA_CHECK(cudaStreamSynchronize(stream_)); }

 private:
  cudaStream_t stream_ = nullptr;
};

class Event {
 public:
  Event() { MMN_CUDA_CHECK(cudaEventCreateWithFlags(&event_, cudaEventDisableTiming)); }
  ~Event() { cudaEventDestroy(event_); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  void record(const Stream& on) { MMN_CUDA_CHECK(cudaEventRecord(event_, on.get())); }
  // Work queued on `stream` from now on starts after the recorded point.
  void make_wait(const Stream& stream) const { MMN_CUDA_CHECK(cudaStreamWaitEvent(stream.get(), event_, 0)); }
  void synchronize() const { MMN_CUDA_CHECK(cudaEventSynchronize(event_)); }

 private:
  cudaEvent_t event_ = nullptr;
};

// Page-locked host memory, so that host-to-device copies run asynchronously.
inline void* allocate_pinned(std::size_t bytes) {
  void* p = nullptr;
  if (bytes > 0) MMN_CUDA_CHECK(cudaMallocHost(&p, bytes));
  return p;
}
inline void free_pinned(void* p) {
  if (p != nullptr) cudaFreeHost(p);
}

inline void copy_to_device(void* device, const void* host, std::size_t bytes, const Stream& stream) {
  if (bytes > 0) MMN_CUDA_CHECK(cudaMemcpyAsync(device, host, bytes, cudaMemcpyHostToDevice, stream.get()));
}
inline void copy_to_host(void* host, const void* device, std::size_t bytes, const Stream& stream) {
  if (bytes > 0) MMN_CUDA_CHECK(cudaMemcpyAsync(host, device, bytes, cudaMemcpyDeviceToHost, stream.get()));
}
inline void copy_on_device(void* to, const void* from, std::size_t bytes, const Stream& stream) {
  if (bytes > 0) MMN_CUDA_CHECK(cudaMemcpyAsync(to, from, bytes, cudaMemcpyDeviceToDevice, stream.get()));
}
inline void fill_zero(void* device, std::size_t bytes, const Stream& stream) {
  if (bytes > 0) MMN_CUDA_CHECK(cudaMemsetAsync(device, 0, bytes, stream.get()));
}

struct MemoryInfo {
  std::size_t free = 0, total = 0;
};
inline MemoryInfo memory_info() {
  MemoryInfo m;
  MMN_CUDA_CHECK(cudaMemGetInfo(&m.free, &m.total));
  return m;
}
inline int device_count() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess ? n : 0;
}
inline void select_device(int device) { MMN_CUDA_CHECK(cudaSetDevice(device)); }
inline std::string device_name(int device) {
  cudaDeviceProp p{};
  MMN_CUDA_CHECK(cudaGetDeviceProperties(&p, device));
  return p.name;
}
constexpr bool kEmulated = false;

#else  // the SIMT emulator

class Stream {
 public:
  cudaStream_t get() const { return nullptr; }
  void synchronize() const {}
};

class Event {
 public:
  void record(const Stream&) {}
  void make_wait(const Stream&) const {}
  void synchronize() const {}
};

inline void* allocate_pinned(std::size_t bytes) { return bytes > 0 ? ::operator new(bytes) : nullptr; }
inline void free_pinned(void* p) { ::operator delete(p); }

inline void copy_to_device(void* device, const void* host, std::size_t bytes, const Stream&) {
  if (bytes > 0) std::memcpy(device, host, bytes);
}
inline void copy_to_host(void* host, const void* device, std::size_t bytes, const Stream&) {
  if (bytes > 0) std::memcpy(host, device, bytes);
}
inline void copy_on_device(void* to, const void* from, std::size_t bytes, const Stream&) {
  if (bytes > 0) std::memmove(to, from, bytes);
}
inline void fill_zero(void* device, std::size_t bytes, const Stream&) {
  if (bytes > 0) std::memset(device, 0, bytes);
}

struct MemoryInfo {
  std::size_t free = 0, total = 0;
};
// The emulator's "device" is host memory: no limit is checked here.
inline MemoryInfo memory_info() { return {~std::size_t{0}, ~std::size_t{0}}; }
inline int device_count() { return 1; }
inline void select_device(int) {}
inline std::string device_name(int) { return "SIMT emulator (CPU)"; }
constexpr bool kEmulated = true;

#endif

template <typename T>
class PinnedBuffer {
  static_assert(std::is_trivially_copyable_v<T>, "PinnedBuffer holds trivially copyable elements");

 public:
  PinnedBuffer() = default;
  explicit PinnedBuffer(std::size_t size) : data_(static_cast<T*>(allocate_pinned(size * sizeof(T)))), size_(size) {}
  ~PinnedBuffer() { free_pinned(data_); }
  PinnedBuffer(PinnedBuffer&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  PinnedBuffer& operator=(PinnedBuffer&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    return *this;
  }
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  T* data() { return data_; }
  std::size_t size() const { return size_; }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace mmn::device
