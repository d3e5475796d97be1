#pragma once
// The figures of the Bayes-optimal predictor on data that carries its true
// probabilities: the best any model can reach on that data.
#include <string>

#include "mmn/metrics/domain_auc.h"

namespace mmn {

class Dataset;

struct OracleFigures {
  double ctr_auc = 0.0;            // p_ctr against click, all rows
  double cvr_auc = 0.0;            // p_cvr against conv, clicked rows
  double ctcvr_auc = 0.0;          // p_ctr * p_cvr against conv, all rows
  double ctr_logloss = 0.0;
  double cvr_logloss = 0.0;        // clicked rows
  DomainAuc domain_cvr;            // per-domain CVR AUC on clicked rows
};

// Throws mmn::Error when the data set has no true probabilities.
OracleFigures oracle_figures(const Dataset& data);

std::string format_oracle(const OracleFigures& figures);

}  // namespace mmn
