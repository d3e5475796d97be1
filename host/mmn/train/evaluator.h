#pragma once
// Evaluation of a model on a data set: predictions for every row in row order, and
// the metrics of DESIGN.md section 6: CTR AUC (all rows), CVR AUC (clicked rows),
// CTCVR AUC (all rows), their log losses, CVR AUC per domain with its plain and
// traffic-weighted means, calibration per domain; and, when the data carries true
// probabilities, the oracle's figures on the same rows.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "mmn/data/dataset.h"
#include "mmn/metrics/domain_auc.h"
#include "mmn/metrics/oracle.h"

namespace mmn {

class Communicator;

class MmnModel;
class ThreadPool;

struct Predictions {
  std::vector<float> p_ctr;  // row order over the whole data set
  std::vector<float> p_cvr;
};

// In batches of batch_size rows per shard. With a communicator of P ranks, rank r predicts
// batches r, r + P, ... and rank 0 gets every row (the others an empty result): the same
// batches as one process, so the same values bit for bit.
Predictions predict(MmnModel& model, const Dataset& data, std::uint32_t batch_size, ThreadPool& pool,
                    Communicator* comm = nullptr);
// The same with any forward pass (a training backend's): logits of a batch's rows.
using ForwardPass = std::function<void(const ColumnView& rows, float* ctr_logit, float* cvr_logit)>;
Predictions predict(const ForwardPass& forward, const Dataset& data, std::uint32_t batch_size,
                    Communicator* comm = nullptr);
// Probabilities of rows held in memory, in batches of batch_size (one process).
Predictions predict_rows(const ForwardPass& forward, const ColumnView& rows, std::uint32_t batch_size);
// `forward` (a backend's, for `model`) taking each batch with its categorical ids mapped to table
// rows first (model.min_id_count); `forward` itself when the model maps none.
ForwardPass with_rare_ids_mapped(const MmnModel& model, ForwardPass forward);

struct DomainCalibration {
  std::uint64_t clicks = 0;
  std::uint64_t conversions = 0;
  double predicted = 0.0;  // sum of p_cvr over clicked rows
  // predicted / observed conversions; NaN without conversions
  double ratio() const;
};

struct EvalReport {
  std::uint64_t rows = 0, clicks = 0, conversions = 0;
  double ctr_auc = 0, cvr_auc = 0, ctcvr_auc = 0;
  double ctr_logloss = 0, cvr_logloss = 0, ctcvr_logloss = 0;
  DomainAuc domain_cvr;
  std::vector<DomainCalibration> calibration;  // per domain
  std::optional<OracleFigures> oracle;
};

EvalReport evaluate(const Dataset& data, const Predictions& predictions);

// Row order columns of a data set: labels and domain ids of every row.
struct Labels {
  std::vector<std::uint8_t> click, conv;
  std::vector<std::uint32_t> domain;
};
Labels labels_of(const Dataset& data);

}  // namespace mmn
