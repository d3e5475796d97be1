#pragma once
// Stacks for the emulator's fibers: one mapping, each stack with an inaccessible guard page
// below it, kept between launches and regrown when a launch needs more or larger stacks.
#include <cstddef>

namespace mmn::sim::detail {

class FiberStacks {
 public:
  FiberStacks() = default;
  ~FiberStacks();
  FiberStacks(const FiberStacks&) = delete;
  FiberStacks& operator=(const FiberStacks&) = delete;

  // Makes at least `count` stacks of `bytes` (rounded up to pages) available.
  void reserve(std::size_t count, std::size_t bytes);
  unsigned char* lowest(std::size_t index) const;  // lowest usable address of stack `index`
  bool is_guard_page(const void* address) const;
  std::size_t stack_bytes() const { return stack_bytes_; }
  // Under AddressSanitizer: clears shadow left by frames that never returned (unwound fibers).
  void forget_frames() const;

 private:
  void release();

  unsigned char* base_ = nullptr;
  std::size_t mapped_bytes_ = 0;
  std::size_t count_ = 0;
  std::size_t stack_bytes_ = 0;
  std::size_t stride_ = 0;
};

}  // namespace mmn::sim::detail
