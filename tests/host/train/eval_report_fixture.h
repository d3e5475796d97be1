#pragma once
// A hand-built evaluation report (4 domains, one without clicks, one without
// conversions) and oracle figures, for the report table, run directory and plot tests.
#include <limits>

#include "mmn/train/evaluator.h"

namespace mmn::testing {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline EvalReport report(double shift) {
  EvalReport r;
  r.rows = 1000;
  r.ctr_auc = 0.70 + shift;
  r.cvr_auc = 0.65 + shift;
  r.ctcvr_auc = 0.68 + shift;
  r.ctr_logloss = 0.45;
  r.cvr_logloss = 0.31 - shift;
  r.domain_cvr.auc = {0.75, kNaN, kNaN, 0.6125};
  r.domain_cvr.rows = {100, 50, 0, 200};
  r.domain_cvr.positives = {10, 0, 0, 30};
  r.domain_cvr.scored = 2;
  r.domain_cvr.mean = 0.60 + shift;
  r.domain_cvr.weighted_mean = 0.62 + shift;
  r.calibration.resize(4);
  r.calibration[0] = {100, 10, 12.0};
  r.calibration[1] = {50, 0, 1.0};
  r.calibration[3] = {200, 30, 27.0};
  return r;
}

inline OracleFigures oracle() {
  OracleFigures o;
  o.ctr_auc = 0.8;
  o.cvr_auc = 0.75;
  o.ctcvr_auc = 0.79;
  o.ctr_logloss = 0.4;
  o.cvr_logloss = 0.25;
  o.domain_cvr.auc = {0.8, 0.7, kNaN, 0.9};
  o.domain_cvr.scored = 3;
  o.domain_cvr.mean = 0.8;
  o.domain_cvr.weighted_mean = kNaN;
  return o;
}

}  // namespace mmn::testing
