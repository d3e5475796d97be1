#include "mmn/synth/synthesize.h"

#include <chrono>
#include <filesystem>
#include <memory>

#include "mmn/data/dataset.h"
#include "mmn/synth/appender.h"
#include "mmn/synth/staged_dir.h"
#include "mmn/util/error.h"
#include "mmn/util/file_writer.h"
#include "mmn/util/thread_pool.h"

namespace mmn::synth {
namespace {

constexpr std::uint64_t kMaxRows = std::uint64_t{1} << 40;
constexpr std::uint32_t kRowsPerGroup = 65536;
constexpr std::size_t kBatchBuffers = 4;  // batches being filled, queued or appended

nlohmann::json domain_list(const std::vector<std::uint32_t>& domains, std::uint32_t n_scenarios) {
  nlohmann::json list = nlohmann::json::array();
  for (const std::uint32_t d : domains)
    list.push_back({{"type", type_name(d / n_scenarios)},
                    {"scenario", scenario_name(d % n_scenarios)},
                    {"type_id", d / n_scenarios},
                    {"scenario_id", d % n_scenarios}});
  return list;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

nlohmann::json synth_provenance(const Generator& generator, const SynthOptions& options,
                                const std::array<std::uint64_t, kSplits>& split_rows, const std::string& split) {
  const DomainPlan& plan = generator.plan();
  std::vector<std::uint32_t> absent;
  for (std::uint32_t d = 0; d < plan.n_domains(); ++d)
    if (plan.present[d] == 0) absent.push_back(d);
  nlohmann::json rows_by_split = nlohmann::json::object();
  for (std::size_t k = 0; k < kSplits; ++k)
    if (k != kHeldout || options.holdout > 0) rows_by_split[split_name(k)] = split_rows[k];
  nlohmann::json type_cvr = nlohmann::json::array();
  for (const double c : plan.type_cvr) type_cvr.push_back(c);
  nlohmann::json p = {{"generator", "mmn synth"},
                      {"preset", generator.config().name},
                      {"seed", options.seed},
                      {"rows", options.rows},
                      {"split_rows", rows_by_split},
                      {"holdout", domain_list(generator.holdout(), plan.n_scenarios)},
                      {"absent", domain_list(absent, plan.n_scenarios)},
                      {"type_cvr", type_cvr},
                      {"block_rows", kBlockRows},
                      {"config", generator.config().to_json()}};
  if (!split.empty()) p["split"] = split;
  return p;
}

SynthResult synthesize(const SynthConfig& config, const SynthOptions& options, ThreadPool& pool) {
  const auto start = std::chrono::steady_clock::now();
  config.validate();
  if (options.rows < 1) fail("--rows must be at least 1");
  if (options.rows > kMaxRows) fail("--rows {} is more than the limit {}", options.rows, kMaxRows);
  if (options.out_dir.empty()) fail("no output directory given (--out)");
  // Cheap checks first: the held-out choice and the output directory.
  const std::vector<std::uint32_t> holdout =
      choose_holdout(plan_domains(config, options.seed), options.holdout, options.seed);
  StagedDirectory out(options.out_dir, options.overwrite);

  const Generator generator(config, options.seed, holdout, &pool);
  SynthResult result;
  result.out_dir = out.final_path();
  result.rows = options.rows;
  for (const std::uint32_t d : holdout) result.holdout.emplace_back(d / config.n_scenarios, d % config.n_scenarios);
  result.setup_seconds = seconds_since(start);

  const DatasetWriteOptions write_options{config.rows_per_shard, kRowsPerGroup, false};
  SplitWriters writers;
  for (std::size_t k = 0; k < kSplits; ++k)
    if (k != kHeldout || options.holdout > 0)
      writers[k] = std::make_unique<DatasetWriter>(out.staged(split_name(k)), generator.schema(), write_options);

  // Blocks are generated a batch at a time over the pool while earlier batches are
  // appended to the writers on a background thread, always in block order.
  const std::uint64_t blocks = (options.rows + kBlockRows - 1) / kBlockRows;
  const std::uint64_t per_batch = 2 * static_cast<std::uint64_t>(pool.size());
  {
    BackgroundAppender appender(writers, kBatchBuffers, per_batch);
    for (std::uint64_t first = 0; first < blocks; first += per_batch) {
      std::unique_ptr<Batch> batch = appender.acquire();
      batch->used = blocks - first < per_batch ? blocks - first : per_batch;
      pool.run(batch->used, [&](std::size_t i) {
        const std::uint64_t block = first + i;
        const std::uint64_t begin = block * kBlockRows;
        const std::uint64_t rows = options.rows - begin < kBlockRows ? options.rows - begin : kBlockRows;
        generator.generate_block(block, rows, batch->blocks[i]);
      });
      appender.submit(std::move(batch));
    }
    appender.finish();
  }

  for (std::size_t k = 0; k < kSplits; ++k)
    if (writers[k]) result.split_rows[k] = writers[k]->rows();
  const Dictionaries names = config.dictionaries();
  for (std::size_t k = 0; k < kSplits; ++k) {
    if (!writers[k]) continue;
    writers[k]->commit(names, synth_provenance(generator, options, result.split_rows, split_name(k)));
    result.split_dirs[k] = (std::filesystem::path(out.final_path()) / split_name(k)).string();
  }
  nlohmann::json manifest = synth_provenance(generator, options, result.split_rows, "");
  manifest["format"] = "mmn-synth";
  manifest["version"] = 1;
  write_file_atomically(out.staged(kSynthManifestName), manifest.dump(1) + "\n");
  out.commit();
  result.seconds = seconds_since(start);
  return result;
}

}  // namespace mmn::synth
