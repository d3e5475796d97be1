#pragma once
// A plain-text comparison of evaluation reports: one column per run ("mmn", "shared", ...)
// and, when the reports carry the oracle's figures, an "oracle" column and the gaps to it.
#include <string>
#include <utility>
#include <vector>

#include "mmn/train/evaluator.h"

namespace mmn {

// Rows: CTR AUC, CVR AUC (clicked), CTCVR AUC, mean and traffic-weighted per-domain CVR AUC,
// domains scored, CTR and CVR log loss; with an oracle, the gap (oracle - run) of the mean and
// traffic-weighted per-domain CVR AUC. Figures that are not defined (NaN) show as "-".
// The oracle column comes from the first report that has oracle figures.
std::string format_eval_table(const std::string& title, const std::vector<std::pair<std::string, EvalReport>>& runs);

}  // namespace mmn
