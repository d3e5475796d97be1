#pragma once
// A validation split taken from the training data: whole row groups, chosen by a fixed seed
// (the same groups for every training seed, so runs compare on the same rows), held out of
// training and scored during it for early stopping and for keeping the best parameters.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mmn/data/column_block.h"
#include "mmn/data/dataset.h"

namespace mmn {

enum class ValidationMetric { cvr_auc, ctcvr_auc, ctr_auc, domain_cvr_auc, logloss };
ValidationMetric parse_validation_metric(const std::string& text);
const char* to_string(ValidationMetric metric);

struct ValidationSplit {
  std::vector<std::size_t> train_groups;  // indices into data.row_groups(), ascending
  ColumnBlock rows;                       // the validation rows, in memory
};

// round(fraction x row groups) groups (at least one when fraction > 0) go to validation; an
// error names the data set when no training group would be left. fraction 0: every group trains.
ValidationSplit split_validation(const Dataset& data, float fraction);

// The metric over `rows` with predicted probabilities p_ctr and p_cvr (row order), oriented so
// that higher is better (logloss, the CTR plus the CTCVR logloss, is negated). NaN when the
// rows cannot score it (no positives, or no domain with enough of both classes).
double validation_score(ValidationMetric metric, const ColumnView& rows, const std::vector<float>& p_ctr,
                        const std::vector<float>& p_cvr, std::uint32_t n_scenarios, std::uint32_t n_domains);

}  // namespace mmn
