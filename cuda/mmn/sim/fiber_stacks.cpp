#include "mmn/sim/fiber_stacks.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "mmn/sim/asan.h"

#if MMN_SIM_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace mmn::sim::detail {

FiberStacks::~FiberStacks() { release(); }

void FiberStacks::release() {
  if (!base_) return;
  forget_frames();
  munmap(base_, mapped_bytes_);
  base_ = nullptr;
  mapped_bytes_ = count_ = stack_bytes_ = stride_ = 0;
}

void FiberStacks::reserve(std::size_t count, std::size_t bytes) {
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  bytes = (bytes + page - 1) / page * page;
  if (base_ && count <= count_ && bytes == stack_bytes_) return;
  release();
  const std::size_t stride = bytes + page;
  void* mapped = mmap(nullptr, stride * count, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapped == MAP_FAILED) {
    throw std::runtime_error("mmn::sim: cannot map " + std::to_string(count) + " fiber stacks of " +
                             std::to_string(bytes) + " bytes: " + std::strerror(errno));
  }
  base_ = static_cast<unsigned char*>(mapped);
  mapped_bytes_ = stride * count;
  count_ = count;
  stack_bytes_ = bytes;
  stride_ = stride;
  for (std::size_t i = 0; i < count; ++i) {
    if (mprotect(base_ + i * stride, page, PROT_NONE) != 0) {
      const int error = errno;
      release();
      throw std::runtime_error(std::string("mmn::sim: cannot protect a fiber stack guard page: ") +
                               std::strerror(error));
    }
  }
}

unsigned char* FiberStacks::lowest(std::size_t index) const {
  return base_ + index * stride_ + (stride_ - stack_bytes_);
}

bool FiberStacks::is_guard_page(const void* address) const {
  const auto* byte = static_cast<const unsigned char*>(address);
  if (!base_ || byte < base_ || byte >= base_ + mapped_bytes_) return false;
  return static_cast<std::size_t>(byte - base_) % stride_ < stride_ - stack_bytes_;
}

void FiberStacks::forget_frames() const {
#if MMN_SIM_ASAN
  for (std::size_t i = 0; i < count_; ++i) ASAN_UNPOISON_MEMORY_REGION(lowest(i), stack_bytes_);
#endif
}

}  // namespace mmn::sim::detail
