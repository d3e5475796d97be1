#pragma once
// The order in which the emulator runs the ready threads of a block (and the blocks of a
// grid). A correct kernel gives the same result in every order.
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace mmn::sim {

enum class Order { forward, reverse, random };

struct Schedule {
  Order order = Order::forward;
  std::uint64_t seed = 0;  // used by Order::random only
};

bool operator==(const Schedule& a, const Schedule& b);
inline bool operator!=(const Schedule& a, const Schedule& b) { return !(a == b); }

// "forward", "reverse" or "random:SEED".
std::string to_string(const Schedule& schedule);
inline std::ostream& operator<<(std::ostream& out, const Schedule& schedule) { return out << to_string(schedule); }
// Parses the form to_string writes; throws std::invalid_argument naming `origin` otherwise.
Schedule parse_schedule(std::string_view text, std::string_view origin = "schedule");

// The schedule launches use: set_schedule's, else MMN_SIM_ORDER's, else forward.
Schedule current_schedule();
void set_schedule(const Schedule& schedule);

class ScopedSchedule {
 public:
  explicit ScopedSchedule(const Schedule& schedule);
  ~ScopedSchedule();
  ScopedSchedule(const ScopedSchedule&) = delete;
  ScopedSchedule& operator=(const ScopedSchedule&) = delete;

 private:
  Schedule previous_;
};

// Bytes of stack per emulated thread: set_fiber_stack_bytes's, else MMN_SIM_STACK_KIB's,
// else 64 KiB (256 KiB under AddressSanitizer, whose frames are larger).
std::size_t fiber_stack_bytes();
void set_fiber_stack_bytes(std::size_t bytes);

}  // namespace mmn::sim
