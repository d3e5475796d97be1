#pragma once
// PNG plots of a run through gnuplot (DESIGN.md section 6), when gnuplot is installed:
//   loss.png                training loss against step
//   auc.png                 evaluation AUCs against step
//   domain_auc_heatmap.png  type x scenario heat map of the final test CVR AUC per domain
//   calibration.png         predicted against observed CVR per domain, log-log, with y = x
// The PNGs go into the run directory; the data files and gnuplot scripts into <run_dir>/plots/
// (with gnuplot's output in plots/gnuplot.log). Notices and warnings go to stderr, one line each;
// nothing here throws.
#include <cstdint>
#include <string>

#include "mmn/data/schema.h"
#include "mmn/train/evaluator.h"

namespace mmn {

// True when an executable `gnuplot` is on the PATH.
bool gnuplot_available();

// Reads <run_dir>/metrics.jsonl: lines with "kind":"train" give "step" and "loss"; lines with
// "kind":"eval" give "step" and figures such as "ctr_auc", "cvr_auc", "ctcvr_auc",
// "domain_cvr_auc_mean" (and "oracle": {"domain_cvr_auc_mean"}). `final_test` (may be null)
// gives the heat map and the calibration plot. Without gnuplot, prints one line and returns.
void write_plots(const std::string& run_dir, const EvalReport* final_test, const Dictionaries& dictionaries,
                 std::uint32_t n_types, std::uint32_t n_scenarios);

}  // namespace mmn
