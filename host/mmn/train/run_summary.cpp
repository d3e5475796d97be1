#include "mmn/train/run_summary.h"

#include <fmt/format.h>

#include "mmn/ops/blas.h"
#include "mmn/train/run_directory.h"
#include "mmn/util/build_info.h"

namespace mmn {

nlohmann::json machine_json(std::size_t threads) {
  const blas::LibraryInfo& blas = blas::library_info();
  nlohmann::json b = {{"library", blas.path},
                      {"config", blas.config},
                      {"core", blas.core},
                      {"core_chosen_by", blas.core_chosen_by},
                      {"cpu_simd", blas.cpu_simd}};
  if (!blas.warning.empty()) b["warning"] = blas.warning;
  return {{"host", host_name()}, {"cpu_model", cpu_model()}, {"threads", threads}, {"blas", b}};
}

nlohmann::json summary_json(const TrainConfig& config, const TrainOutcome& outcome, const BestSoFar& best,
                            const SummaryFacts& facts) {
  nlohmann::json summary = {{"steps", outcome.steps},
                            {"samples_per_second", outcome.samples_per_second},
                            {"model", config.model.label()},
                            {"last_checkpoint", outcome.last_checkpoint},
                            {"skipped_batches", outcome.skipped_batches},
                            {"pipelined_steps", outcome.pipelined},
                            {"ranks", facts.ranks},
                            {"backend", facts.backend},
                            {"parameter_checksum", fmt::format("{:016x}", outcome.parameter_checksum)},
                            {"git_commit", git_commit()},
                            {"machine", machine_json(facts.threads)}};
  if (facts.validation_rows > 0)
    summary["validation"] = {{"metric", to_string(config.train.validation_metric)},
                             {"rows", facts.validation_rows},
                             {"best_step", best.step},
                             {"best_value", best.step != 0 ? nlohmann::json(best.value) : nlohmann::json()},
                             {"stopped_early", outcome.stopped_early}};
  if (outcome.test) summary["test"] = eval_report_json(*outcome.test);
  if (outcome.heldout) summary["heldout"] = eval_report_json(*outcome.heldout);
  summary["wall_seconds"] = facts.wall_seconds;
  return summary;
}

}  // namespace mmn
