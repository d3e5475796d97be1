#pragma once
// Training progress output (DESIGN.md section 6). On a terminal: one line redrawn in place
// with \r (a bar, step/total, samples/s, loss, ETA), at most about five times a second.
// Elsewhere (a log file, a pipe): a plain line every `log_every` steps. The caller decides
// which with isatty.
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace mmn {

class Progress {
 public:
  // total_steps 0: unknown (no bar, no ETA). start_step: the step a resumed run starts from,
  // so that the ETA counts only the steps taken here. log_every 0 counts as 1.
  Progress(std::uint64_t total_steps, std::ostream& out, bool is_terminal, std::uint64_t log_every = 50,
           std::uint64_t start_step = 0);

  // `step` steps are done (1-based), at `samples_per_second`, with the latest loss.
  void update(std::uint64_t step, double samples_per_second, double loss);
  // Ends the line on a terminal (showing the last state); in plain mode, logs the last
  // step when it was not logged yet. Further calls do nothing.
  void finish();

  // "1h02m", "3m05s", "42s"; "?" for a negative or non-finite count.
  static std::string format_duration(double seconds);
  // "950", "12.3k", "4.56M".
  static std::string format_rate(double per_second);

 private:
  std::string text(bool with_bar) const;
  void draw();

  std::uint64_t total_;
  std::ostream& out_;
  bool terminal_;
  std::uint64_t log_every_;
  std::uint64_t start_step_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
  bool finished_ = false;
  std::size_t last_width_ = 0;
  std::uint64_t step_ = 0;
  std::uint64_t last_logged_ = 0;
  double rate_ = 0.0;
  double loss_ = 0.0;
};

}  // namespace mmn
