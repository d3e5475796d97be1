#pragma once
// `mmn synth` as a library call: generates a synthetic data set and writes its
// splits under one output directory:
//   DIR/train     rows of the present, not held-out domains
//   DIR/test      a share (config.test_fraction) of those rows, same distribution
//   DIR/heldout   every row of the held-out domains (only when holdout > 0)
//   DIR/synth.json what was generated (preset, seed, rows, held-out and absent domains, config)
// The directory appears only when complete (see StagedDirectory). The bytes written
// depend on the config, seed, rows and holdout only, not on the number of threads.
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "mmn/synth/generator.h"
#include "mmn/synth/synth_config.h"

namespace mmn {
class ThreadPool;
}

namespace mmn::synth {

struct SynthOptions {
  std::string out_dir;
  std::uint64_t rows = 0;  // over all splits; at least 1
  std::uint64_t seed = 1;
  std::uint32_t holdout = 0;  // (type, scenario) combinations held out for zero-shot tests
  bool overwrite = false;
};

struct SynthResult {
  std::string out_dir;
  std::array<std::string, kSplits> split_dirs;  // empty for a split not written
  std::array<std::uint64_t, kSplits> split_rows{};
  std::uint64_t rows = 0;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> holdout;  // (type, scenario)
  double setup_seconds = 0.0;  // domain plan, feature tables, true model, calibration
  double seconds = 0.0;        // everything: setup, generation, writing, renaming into place
};

// Throws mmn::Error for bad options (rows 0, too many held-out domains, an existing
// output without overwrite) before doing any work.
SynthResult synthesize(const SynthConfig& config, const SynthOptions& options, ThreadPool& pool);

// The provenance recorded with each split (split: "train", "test", "heldout"), and
// in synth.json (split empty).
nlohmann::json synth_provenance(const Generator& generator, const SynthOptions& options,
                                const std::array<std::uint64_t, kSplits>& split_rows, const std::string& split);

}  // namespace mmn::synth
