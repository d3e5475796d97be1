#pragma once
// What `mmn synth` prints after writing: the splits, the held-out domains, and for
// the train split the data summary (rows, CTR, CVR overall and per type, domains
// present, the rarest domains) and the oracle's figures, the best any model can do.
#include <string>

#include "mmn/data/summary.h"
#include "mmn/metrics/oracle.h"
#include "mmn/synth/synthesize.h"

namespace mmn {
class ThreadPool;
}

namespace mmn::synth {

struct SplitReport {
  DataSummary summary;
  OracleFigures oracle;
};

// Summary and oracle figures of a written split (opened with structural checks).
SplitReport report_split(const std::string& dir, ThreadPool* pool = nullptr);

std::string format_synth_report(const SynthConfig& config, const SynthOptions& options, const SynthResult& result,
                                const SplitReport& train);

}  // namespace mmn::synth
