#pragma once
// The directory of one training run (DESIGN.md section 6): the resolved configuration
// (config.toml), one JSON object per line of metrics (metrics.jsonl), the per-domain
// reports (<split>_domains.csv / .json) and the final summary (summary.json).
// Checkpoints and plots live there too, written by their own code.
#include <cstdint>
#include <fstream>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "mmn/data/schema.h"
#include "mmn/train/evaluator.h"
#include "mmn/train/train_config.h"

namespace mmn {

class RunDirectory {
 public:
  // Creates `dir` and its parents when missing; throws mmn::Error naming it when it cannot.
  explicit RunDirectory(std::string dir);
  RunDirectory(const RunDirectory&) = delete;
  RunDirectory& operator=(const RunDirectory&) = delete;

  const std::string& dir() const { return dir_; }
  std::string path(const std::string& name) const;  // dir/name

  // config.toml, written atomically.
  void write_config(const TrainConfig& config);
  // schema.json: the training data's schema, so that the run alone rebuilds its model
  // (mmn export, mmn::Predictor) without the training data at hand.
  void write_schema(const Schema& schema);

  // Appends `record` as one line to metrics.jsonl and flushes. The file stays open.
  // A record kept by resume_metrics_at (the same kind, split and step) is not written again.
  void append_metrics(const nlohmann::json& record);

  // A run resumed from its checkpoint at `step` repeats the steps after it: drops the
  // records after `step` (and a line cut short by a crash) from metrics.jsonl, atomically.
  void resume_metrics_at(std::uint64_t step);

  // <split>_domains.csv and <split>_domains.json: one entry per domain
  // (domain id = type * n_scenarios + scenario), types and scenarios by name.
  void write_domain_report(const std::string& split, const EvalReport& report, const Dictionaries& dictionaries,
                           std::uint32_t n_scenarios);

  // summary.json, written atomically.
  void write_summary(const nlohmann::json& summary);

 private:
  std::string dir_;
  std::ofstream metrics_;
  std::set<std::string> kept_records_;  // "kind/split/step" of the records a resume kept
};

// Every scalar figure of a report as a flat JSON object ("rows", "ctr_auc", "cvr_auc",
// "ctcvr_auc", the log losses, "domain_cvr_auc_mean", "domain_cvr_auc_weighted",
// "domains_scored", "domains"); with oracle figures also "oracle" (the same names) and
// "gap_to_oracle" (AUCs: oracle - model; log losses: model - oracle; so positive = behind
// the oracle). NaN and infinities are written as null. Per-domain values are in the
// domain report, not here.
nlohmann::json eval_report_json(const EvalReport& report);

}  // namespace mmn
