#include "mmn/sim/schedule.h"

#include <charconv>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "mmn/sim/asan.h"

namespace mmn::sim {
namespace {

std::mutex g_settings_mutex;
std::optional<Schedule> g_schedule;
std::optional<std::size_t> g_stack_bytes;

#if MMN_SIM_ASAN
constexpr std::size_t kDefaultStackBytes = 256 * 1024;
#else
constexpr std::size_t kDefaultStackBytes = 64 * 1024;
#endif
constexpr std::size_t kMinStackBytes = 16 * 1024;

}  // namespace

bool operator==(const Schedule& a, const Schedule& b) {
  return a.order == b.order && (a.order != Order::random || a.seed == b.seed);
}

std::string to_string(const Schedule& schedule) {
  switch (schedule.order) {
    case Order::forward: return "forward";
    case Order::reverse: return "reverse";
    case Order::random: return "random:" + std::to_string(schedule.seed);
  }
  return "?";
}

Schedule parse_schedule(std::string_view text, std::string_view origin) {
  if (text == "forward") return {Order::forward, 0};
  if (text == "reverse") return {Order::reverse, 0};
  constexpr std::string_view kRandom = "random:";
  if (text.substr(0, kRandom.size()) == kRandom) {
    std::string_view digits = text.substr(kRandom.size());
    std::uint64_t seed = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), seed);
    if (!digits.empty() && error == std::errc() && end == digits.data() + digits.size()) {
      return {Order::random, seed};
    }
  }
  throw std::invalid_argument(std::string(origin) + ": '" + std::string(text) +
                              "' is not a thread order; expected forward, reverse or random:SEED "
                              "(SEED an unsigned integer)");
}

Schedule current_schedule() {
  std::lock_guard lock(g_settings_mutex);
  if (!g_schedule) {
    const char* env = std::getenv("MMN_SIM_ORDER");
    g_schedule = (env && *env) ? parse_schedule(env, "environment variable MMN_SIM_ORDER") : Schedule{};
  }
  return *g_schedule;
}

void set_schedule(const Schedule& schedule) {
  std::lock_guard lock(g_settings_mutex);
  g_schedule = schedule;
}

ScopedSchedule::ScopedSchedule(const Schedule& schedule) : previous_(current_schedule()) {
  set_schedule(schedule);
}

ScopedSchedule::~ScopedSchedule() { set_schedule(previous_); }

std::size_t fiber_stack_bytes() {
  std::lock_guard lock(g_settings_mutex);
  if (!g_stack_bytes) {
    g_stack_bytes = kDefaultStackBytes;
    if (const char* env = std::getenv("MMN_SIM_STACK_KIB"); env && *env) {
      std::string_view text(env);
      std::size_t kib = 0;
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), kib);
      if (error != std::errc() || end != text.data() + text.size() || kib * 1024 < kMinStackBytes) {
        throw std::invalid_argument("environment variable MMN_SIM_STACK_KIB: '" + std::string(text) +
                                    "' is not a stack size in KiB of at least 16");
      }
      g_stack_bytes = kib * 1024;
    }
  }
  return *g_stack_bytes;
}

void set_fiber_stack_bytes(std::size_t bytes) {
  if (bytes < kMinStackBytes) {
    throw std::invalid_argument("mmn::sim::set_fiber_stack_bytes: " + std::to_string(bytes) +
                                " bytes is below the minimum of 16 KiB");
  }
  std::lock_guard lock(g_settings_mutex);
  g_stack_bytes = bytes;
}

}  // namespace mmn::sim
