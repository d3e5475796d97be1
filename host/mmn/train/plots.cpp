#include "mmn/train/plots.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mmn/util/file_writer.h"

extern char** environ;

namespace mmn {
namespace {

namespace fs = std::filesystem;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::optional<std::string> find_gnuplot() {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  std::string_view rest(path);
  while (true) {
    const std::size_t colon = rest.find(':');
    const std::string dir(rest.substr(0, colon));
    if (!dir.empty()) {
      const std::string candidate = dir + "/gnuplot";
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return std::nullopt;
}

void warn(const std::string& message) { std::cerr << "warning: plots: " << message << std::endl; }
void notice(const std::string& message) { std::cerr << "plots: " << message << std::endl; }

// A string for a gnuplot single-quoted literal.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string num(double v) { return std::isfinite(v) ? fmt::format("{}", v) : "NaN"; }

double number_at(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return kNaN;
  return it->get<double>();
}

// The lines every script starts with: a PNG terminal (pngcairo when there is one) and the output.
std::string preamble(const std::string& png, int width, int height) {
  return fmt::format(
      "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {{\n"
      "  set terminal pngcairo size {0},{1} noenhanced\n"
      "}} else {{\n"
      "  set terminal png size {0},{1} noenhanced\n"
      "}}\n"
      "set output {2}\n"
      "set datafile missing 'NaN'\n",
      width, height, quoted(png));
}

// Runs gnuplot on `script`; its output goes to `log`. False (after a warning) on failure.
bool run_gnuplot(const std::string& gnuplot, const std::string& script, const std::string& log,
                 const std::string& png) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::string arg0 = gnuplot, arg1 = script;
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, gnuplot.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    warn(fmt::format("cannot start {}: {}", gnuplot, std::strerror(rc)));
    return false;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      warn(fmt::format("waiting for gnuplot failed: {}", std::strerror(errno)));
      return false;
    }
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string how = WIFEXITED(status) ? fmt::format("exit status {}", WEXITSTATUS(status))
                                              : fmt::format("signal {}", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    warn(fmt::format("gnuplot failed on {} ({}); see {}", script, how, log));
    return false;
  }
  std::error_code ec;
  if (!fs::is_regular_file(png, ec) || fs::file_size(png, ec) == 0) {
    warn(fmt::format("gnuplot wrote no {}; see {}", png, log));
    return false;
  }
  return true;
}

struct TrainPoint {
  double step, loss;
};
struct EvalPoint {
  double step, ctr_auc, cvr_auc, ctcvr_auc, domain_mean, oracle_domain_mean;
};

struct ScorePoint {
  double step, value;
};

struct Metrics {
  std::vector<TrainPoint> train;
  std::vector<EvalPoint> eval;
  std::vector<ScorePoint> validation;  // plotted when the validation metric is an AUC
  std::string validation_metric;
  std::size_t bad_lines = 0;
};

Metrics read_metrics(const std::string& file) {
  Metrics m;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      ++m.bad_lines;
      continue;
    }
    if (!j.is_object()) {
      ++m.bad_lines;
      continue;
    }
    const auto kind = j.find("kind");
    if (kind == j.end() || !kind->is_string()) continue;
    const double step = number_at(j, "step");
    if (!std::isfinite(step)) continue;
    if (*kind == "train") {
      m.train.push_back({step, number_at(j, "loss")});
    } else if (*kind == "eval") {
      double oracle = kNaN;
      const auto o = j.find("oracle");
      if (o != j.end() && o->is_object()) oracle = number_at(*o, "domain_cvr_auc_mean");
      m.eval.push_back({step, number_at(j, "ctr_auc"), number_at(j, "cvr_auc"), number_at(j, "ctcvr_auc"),
                        number_at(j, "domain_cvr_auc_mean"), oracle});
    } else if (*kind == "validation") {
      const auto metric = j.find("metric");
      if (metric == j.end() || !metric->is_string()) continue;
      const std::string name = metric->get<std::string>();
      if (name.size() < 3 || name.compare(name.size() - 3, 3, "auc") != 0) continue;
      m.validation_metric = name;
      m.validation.push_back({step, number_at(j, "value")});
    }
  }
  return m;
}

struct Plotter {
  std::string gnuplot;
  fs::path run_dir;
  fs::path plots_dir;
  std::string log;

  // Writes plots/<name>.dat and plots/<png>.gp and runs gnuplot, which writes <png>.png.
  void plot(const std::string& name, const std::string& png, const std::string& data, const std::string& script) {
    write_file_atomically((plots_dir / (name + ".dat")).string(), data);
    const std::string script_path = (plots_dir / (png + ".gp")).string();
    write_file_atomically(script_path, script);
    run_gnuplot(gnuplot, script_path, log, png_path(png));
  }

  std::string data_path(const std::string& name) const { return quoted((plots_dir / (name + ".dat")).string()); }
  std::string png_path(const std::string& name) const { return (run_dir / (name + ".png")).string(); }

  void loss(const Metrics& m) {
    std::string data = "# step loss\n";
    std::size_t finite = 0;
    for (const auto& p : m.train) {
      data += fmt::format("{} {}\n", num(p.step), num(p.loss));
      finite += std::isfinite(p.loss) ? 1 : 0;
    }
    if (finite == 0) {
      notice("no training loss in metrics.jsonl; loss.png skipped");
      return;
    }
    const std::string script = preamble(png_path("loss"), 900, 600) +
                               "set title 'training loss'\nset xlabel 'step'\nset ylabel 'loss'\nset grid\n"
                               "plot " + data_path("loss") + " using 1:2 with lines lw 2 title 'loss'\n";
    plot("loss", "loss", data, script);
  }

  void auc(const Metrics& m) {
    struct Series {
      const char* title;
      double EvalPoint::*field;
      const char* style;
    };
    const Series series[] = {{"CTR AUC", &EvalPoint::ctr_auc, "linespoints pt 7"},
                             {"CVR AUC (clicked)", &EvalPoint::cvr_auc, "linespoints pt 7"},
                             {"CTCVR AUC", &EvalPoint::ctcvr_auc, "linespoints pt 7"},
                             {"mean per-domain CVR AUC", &EvalPoint::domain_mean, "linespoints pt 7"},
                             {"oracle mean per-domain CVR AUC", &EvalPoint::oracle_domain_mean, "lines dt 2 lw 2"}};
    std::string data = "# step ctr_auc cvr_auc ctcvr_auc domain_cvr_auc_mean oracle_domain_cvr_auc_mean\n";
    for (const auto& p : m.eval) {
      data += num(p.step);
      for (const auto& s : series) data += " " + num(p.*(s.field));
      data += "\n";
    }
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < std::size(series); ++i) {
      const bool any = std::any_of(m.eval.begin(), m.eval.end(),
                                   [&](const EvalPoint& p) { return std::isfinite(p.*(series[i].field)); });
      if (any)
        parts.push_back(fmt::format("{} using 1:{} with {} title {}", data_path("auc"), i + 2, series[i].style,
                                    quoted(series[i].title)));
    }
    if (!m.validation.empty()) {
      std::string points = "# step validation_" + m.validation_metric + "\n";
      for (const auto& p : m.validation) points += fmt::format("{} {}\n", num(p.step), num(p.value));
      write_file_atomically((plots_dir / "validation.dat").string(), points);
      parts.push_back(fmt::format("{} using 1:2 with linespoints pt 6 lw 2 title {}", data_path("validation"),
                                  quoted("validation " + m.validation_metric + " (held-out training rows)")));
    }
    if (parts.empty()) {
      notice("no evaluation figures in metrics.jsonl; auc.png skipped");
      return;
    }
    const std::string script = preamble(png_path("auc"), 900, 600) +
                               "set title 'evaluation AUC'\nset xlabel 'step'\nset ylabel 'AUC'\nset grid\n"
                               "set key bottom right\n"
                               "plot " + fmt::format("{}", fmt::join(parts, ", \\\n     ")) + "\n";
    plot("auc", "auc", data, script);
  }

  void heatmap(const EvalReport& r, const Dictionaries& dict, std::uint32_t n_types, std::uint32_t n_scenarios) {
    std::string data = "# scenario type cvr_auc\n";
    double lo = 1.0, hi = 0.0;
    std::size_t scored = 0;
    for (std::uint32_t t = 0; t < n_types; ++t) {
      for (std::uint32_t s = 0; s < n_scenarios; ++s) {
        const std::size_t d = std::size_t{t} * n_scenarios + s;
        if (d >= r.domain_cvr.auc.size() || !std::isfinite(r.domain_cvr.auc[d])) continue;
        const double a = r.domain_cvr.auc[d];
        data += fmt::format("{} {} {}\n", s, t, a);
        lo = std::min(lo, a);
        hi = std::max(hi, a);
        ++scored;
      }
    }
    if (scored == 0) {
      notice("no domain has a CVR AUC; domain_auc_heatmap.png skipped");
      return;
    }
    if (hi - lo < 1e-3) {
      lo -= 0.01;
      hi += 0.01;
    }
    auto tics = [](const std::vector<std::string>& names, std::uint32_t n) {
      std::vector<std::string> items;
      for (std::uint32_t i = 0; i < n; ++i)
        items.push_back(fmt::format("{} {}", quoted(i < names.size() ? names[i] : fmt::format("{}", i)), i));
      return fmt::format("({})", fmt::join(items, ", "));
    };
    const int width = static_cast<int>(std::clamp<std::uint32_t>(200 + 40 * n_scenarios, 700, 2400));
    const int height = static_cast<int>(std::clamp<std::uint32_t>(150 + 30 * n_types, 500, 2000));
    std::string script = preamble(png_path("domain_auc_heatmap"), width, height);
    script += "set title 'CVR AUC per domain (test; blank: not enough positives and negatives)'\n";
    script += "set xlabel 'scenario'\nset ylabel 'type'\nunset key\n";
    script += fmt::format("set xrange [-0.5:{}]\nset yrange [-0.5:{}]\n", n_scenarios - 0.5, n_types - 0.5);
    script += n_scenarios <= 60 ? fmt::format("set xtics {} rotate by 45 right\n", tics(dict.scenarios, n_scenarios))
                                : std::string("set xtics out\n");
    script += n_types <= 60 ? fmt::format("set ytics {}\n", tics(dict.types, n_types)) : std::string("set ytics out\n");
    script += "set palette defined (0 '#d73027', 0.5 '#ffffbf', 1 '#1a9850')\n";
    script += fmt::format("set cbrange [{}:{}]\nset cblabel 'CVR AUC'\n", lo, hi);
    script += "set style fill solid 1.0 noborder\n";
    script += "plot " + data_path("domain_auc") + " using 1:2:(0.5):(0.5):3 with boxxyerror fillcolor palette";
    if (n_types * n_scenarios <= 200)
      script += ", \\\n     '' using 1:2:(sprintf('%.3f', $3)) with labels font ',8' textcolor rgb 'black'";
    script += "\n";
    plot("domain_auc", "domain_auc_heatmap", data, script);
  }

  void calibration(const EvalReport& r, const Dictionaries& dict, std::uint32_t n_scenarios) {
    std::string data = "# predicted_cvr observed_cvr clicks type scenario\n";
    double lo = std::numeric_limits<double>::max(), hi = 0.0;
    std::size_t points = 0;
    for (std::size_t d = 0; d < r.calibration.size(); ++d) {
      const DomainCalibration& c = r.calibration[d];
      if (c.clicks == 0 || c.conversions == 0 || !(c.predicted > 0)) continue;
      const double predicted = c.predicted / static_cast<double>(c.clicks);
      const double observed = static_cast<double>(c.conversions) / static_cast<double>(c.clicks);
      const auto t = static_cast<std::uint32_t>(d / n_scenarios);
      const auto s = static_cast<std::uint32_t>(d % n_scenarios);
      auto name = [](const std::vector<std::string>& names, std::uint32_t i) {
        std::string n = i < names.size() ? names[i] : fmt::format("{}", i);
        std::replace_if(n.begin(), n.end(), [](char ch) { return ch == ' ' || ch == '\t' || ch == '"'; }, '_');
        return n.empty() ? std::string("_") : n;
      };
      data += fmt::format("{} {} {} {} {}\n", predicted, observed, c.clicks, name(dict.types, t),
                          name(dict.scenarios, s));
      lo = std::min({lo, predicted, observed});
      hi = std::max({hi, predicted, observed});
      ++points;
    }
    if (points == 0) {
      notice("no domain has conversions; calibration.png skipped");
      return;
    }
    lo /= 1.5;
    hi *= 1.5;
    std::string script = preamble(png_path("calibration"), 800, 800);
    script += fmt::format("set title 'CVR calibration per domain (test; {} domains with conversions)'\n", points);
    script += "set xlabel 'predicted CVR (mean p_cvr over clicked rows)'\nset ylabel 'observed CVR'\n";
    script += fmt::format("set logscale xy\nset xrange [{0}:{1}]\nset yrange [{0}:{1}]\nset size square\n", lo, hi);
    script += "set format x '%g'\nset format y '%g'\nset grid\nset key top left\n";
    script += "plot " + data_path("calibration") +
              " using 1:2 with points pt 7 ps 1.2 title 'domain', \\\n     x with lines dt 2 lc rgb 'gray40' title 'y = x'\n";
    plot("calibration", "calibration", data, script);
  }
};

}  // namespace

bool gnuplot_available() { return find_gnuplot().has_value(); }

void write_plots(const std::string& run_dir, const EvalReport* final_test, const Dictionaries& dictionaries,
                 std::uint32_t n_types, std::uint32_t n_scenarios) {
  try {
    const auto gnuplot = find_gnuplot();
    if (!gnuplot) {
      notice("gnuplot not found on the PATH; PNG plots skipped");
      return;
    }
    Plotter p;
    p.gnuplot = *gnuplot;
    p.run_dir = fs::absolute(run_dir);
    p.plots_dir = p.run_dir / "plots";
    fs::create_directories(p.plots_dir);
    p.log = (p.plots_dir / "gnuplot.log").string();

    const fs::path metrics_file = p.run_dir / "metrics.jsonl";
    Metrics m;
    if (fs::exists(metrics_file)) {
      m = read_metrics(metrics_file.string());
      if (m.bad_lines > 0) warn(fmt::format("{} lines of {} are not JSON objects; ignored", m.bad_lines,
                                            metrics_file.string()));
    } else {
      notice(fmt::format("no {}; loss and AUC plots skipped", metrics_file.string()));
    }
    if (!m.train.empty()) p.loss(m);
    if (!m.eval.empty() || !m.validation.empty()) p.auc(m);
    if (final_test != nullptr && n_types > 0 && n_scenarios > 0) {
      p.heatmap(*final_test, dictionaries, n_types, n_scenarios);
      p.calibration(*final_test, dictionaries, n_scenarios);
    }
  } catch (const std::exception& e) {
    warn(e.what());
  }
}

}  // namespace mmn
