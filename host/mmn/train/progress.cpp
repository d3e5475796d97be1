#include "mmn/train/progress.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace mmn {
namespace {

constexpr auto kRedrawInterval = std::chrono::milliseconds(200);
constexpr std::size_t kBarWidth = 24;

}  // namespace

Progress::Progress(std::uint64_t total_steps, std::ostream& out, bool is_terminal, std::uint64_t log_every,
                   std::uint64_t start_step)
    : total_(total_steps),
      out_(out),
      terminal_(is_terminal),
      log_every_(std::max<std::uint64_t>(1, log_every)),
      start_step_(start_step),
      start_(std::chrono::steady_clock::now()),
      step_(start_step),
      last_logged_(start_step) {}

std::string Progress::format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<std::uint64_t>(std::llround(seconds));
  if (s >= 3600) return fmt::format("{}h{:02d}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02d}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

std::string Progress::format_rate(double v) {
  if (!std::isfinite(v) || v < 0) return "?";
  if (v >= 1e6) return fmt::format("{:.2f}M", v / 1e6);
  if (v >= 1e4) return fmt::format("{:.1f}k", v / 1e3);
  return fmt::format("{:.0f}", v);
}

std::string Progress::text(bool with_bar) const {
  std::string s;
  if (total_ > 0) {
    if (with_bar) {
      const double frac = std::min(1.0, static_cast<double>(step_) / static_cast<double>(total_));
      const auto filled = static_cast<std::size_t>(frac * kBarWidth);
      s += fmt::format("[{}{}] {:3.0f}% ", std::string(filled, '#'), std::string(kBarWidth - filled, '.'),
                       frac * 100.0);
    }
    s += fmt::format("step {}/{}", step_, total_);
  } else {
    s += fmt::format("step {}", step_);
  }
  s += fmt::format("  {} samples/s  loss {}", format_rate(rate_),
                   std::isfinite(loss_) ? fmt::format("{:.5f}", loss_) : fmt::format("{}", loss_));
  if (total_ > 0) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const std::uint64_t done = step_ > start_step_ ? step_ - start_step_ : 0;
    double eta = -1.0;
    if (step_ >= total_) {
      eta = 0.0;
    } else if (done > 0) {
      eta = elapsed / static_cast<double>(done) * static_cast<double>(total_ - step_);
    }
    s += fmt::format("  ETA {}", format_duration(eta));
  }
  return s;
}

void Progress::draw() {
  const std::string line = text(true);
  out_ << '\r' << line;
  if (line.size() < last_width_) out_ << std::string(last_width_ - line.size(), ' ');
  out_.flush();
  last_width_ = line.size();
  last_draw_ = std::chrono::steady_clock::now();
  drawn_ = true;
}

void Progress::update(std::uint64_t step, double samples_per_second, double loss) {
  if (finished_) return;
  step_ = step;
  rate_ = samples_per_second;
  loss_ = loss;
  if (terminal_) {
    const bool last = total_ > 0 && step >= total_;
    if (!drawn_ || last || std::chrono::steady_clock::now() - last_draw_ >= kRedrawInterval) draw();
  } else if (step % log_every_ == 0 && step != last_logged_) {
    out_ << text(false) << '\n';
    out_.flush();
    last_logged_ = step;
  }
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (terminal_) {
    if (drawn_ || step_ > start_step_) {
      draw();
      out_ << '\n';
    }
  } else if (step_ != last_logged_) {
    out_ << text(false) << '\n';
    last_logged_ = step_;
  }
  out_.flush();
}

}  // namespace mmn
