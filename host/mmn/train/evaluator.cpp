#include "mmn/train/evaluator.h"

#include "mmn/model/rare_ids.h"

#include <cmath>
#include <cstring>
#include <string>
#include <limits>

#include "mmn/comm/communicator.h"
#include "mmn/metrics/auc.h"
#include "mmn/model/mmn_model.h"
#include "mmn/util/error.h"
#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

float sigmoid(float x) { return x >= 0 ? 1.0f / (1.0f + std::exp(-x)) : std::exp(x) / (1.0f + std::exp(x)); }

}  // namespace

double DomainCalibration::ratio() const {
  return conversions == 0 ? std::numeric_limits<double>::quiet_NaN() : predicted / static_cast<double>(conversions);
}

Predictions predict(MmnModel& model, const Dataset& data, std::uint32_t batch_size, ThreadPool& pool,
                    Communicator* comm) {
  return predict(with_rare_ids_mapped(
                     model, [&](const ColumnView& rows, float* ctr, float* cvr) { model.forward(rows, ctr, cvr, pool); }),
                 data, batch_size, comm);
}

Predictions predict_rows(const ForwardPass& forward, const ColumnView& rows, std::uint32_t batch_size) {
  Predictions p;
  p.p_ctr.resize(rows.rows);
  p.p_cvr.resize(rows.rows);
  for (std::size_t b = 0; b < rows.rows; b += batch_size) {
    const std::size_t e = std::min<std::size_t>(rows.rows, b + batch_size);
    forward(rows.slice(b, e), p.p_ctr.data() + b, p.p_cvr.data() + b);
  }
  for (std::size_t i = 0; i < rows.rows; ++i) p.p_ctr[i] = sigmoid(p.p_ctr[i]), p.p_cvr[i] = sigmoid(p.p_cvr[i]);
  return p;
}

ForwardPass with_rare_ids_mapped(const MmnModel& model, ForwardPass forward) {
  if (!maps_rare_ids(model)) return forward;
  return [&model, forward = std::move(forward)](const ColumnView& rows, float* ctr, float* cvr) {
    std::vector<std::vector<std::uint32_t>> scratch;
    forward(map_rare_ids(model, rows, scratch), ctr, cvr);
  };
}

Predictions predict(const ForwardPass& forward, const Dataset& data, std::uint32_t batch_size, Communicator* comm) {
  struct Batch {
    std::size_t shard, begin, end, at;
  };
  std::vector<Batch> batches;
  std::size_t at = 0;
  for (std::size_t s = 0; s < data.shards().size(); ++s)
    for (std::size_t begin = 0; begin < data.shards()[s].columns().rows; begin += batch_size) {
      const std::size_t end = std::min<std::size_t>(data.shards()[s].columns().rows, begin + batch_size);
      batches.push_back({s, begin, end, at});
      at += end - begin;
    }
  const std::size_t ranks = comm != nullptr ? static_cast<std::size_t>(comm->size()) : 1;
  const std::size_t rank = comm != nullptr ? static_cast<std::size_t>(comm->rank()) : 0;

  // This rank's batches (b = rank, rank + P, ...), outputs packed in that order.
  std::vector<float> mine;
  for (std::size_t b = rank; b < batches.size(); b += ranks) {
    const Batch& x = batches[b];
    const std::size_t n = x.end - x.begin, offset = mine.size();
    mine.resize(offset + 2 * n);
    forward(data.shards()[x.shard].columns().slice(x.begin, x.end), mine.data() + offset, mine.data() + offset + n);
    for (std::size_t i = offset; i < offset + 2 * n; ++i) mine[i] = sigmoid(mine[i]);
  }
  std::vector<std::string> parts;
  if (ranks == 1) {
    parts.emplace_back(reinterpret_cast<const char*>(mine.data()), mine.size() * sizeof(float));
  } else {
    parts = comm->gather(std::string(reinterpret_cast<const char*>(mine.data()), mine.size() * sizeof(float)));
    if (rank != 0) return {};
  }
  Predictions p;
  p.p_ctr.resize(data.rows());
  p.p_cvr.resize(data.rows());
  std::vector<std::size_t> read(ranks, 0);  // floats taken from each rank's part
  for (std::size_t b = 0; b < batches.size(); ++b) {
    const Batch& x = batches[b];
    const std::size_t n = x.end - x.begin, from = b % ranks;
    if (parts[from].size() < (read[from] + 2 * n) * sizeof(float))
      fail("evaluation: rank {} sent {} bytes, fewer than its batches need", from, parts[from].size());
    const char* src = parts[from].data() + read[from] * sizeof(float);
    std::memcpy(p.p_ctr.data() + x.at, src, n * sizeof(float));
    std::memcpy(p.p_cvr.data() + x.at, src + n * sizeof(float), n * sizeof(float));
    read[from] += 2 * n;
  }
  return p;
}

Labels labels_of(const Dataset& data) {
  Labels l;
  const std::uint32_t n_scenarios = data.schema().n_scenarios;
  for (const auto& shard : data.shards()) {
    const ColumnView& v = shard.columns();
    l.click.insert(l.click.end(), v.click, v.click + v.rows);
    l.conv.insert(l.conv.end(), v.conv, v.conv + v.rows);
    for (std::size_t i = 0; i < v.rows; ++i) l.domain.push_back(std::uint32_t{v.type[i]} * n_scenarios + v.scenario[i]);
  }
  return l;
}

EvalReport evaluate(const Dataset& data, const Predictions& p) {
  const Labels l = labels_of(data);
  const std::size_t n = l.click.size();
  const std::uint32_t n_domains = data.schema().n_domains();
  EvalReport r;
  r.rows = n;
  std::vector<float> ctcvr(n), cvr_clicked;
  std::vector<std::uint8_t> conv_clicked;
  std::vector<std::uint32_t> domain_clicked;
  r.calibration.resize(n_domains);
  for (std::size_t i = 0; i < n; ++i) {
    ctcvr[i] = p.p_ctr[i] * p.p_cvr[i];
    r.clicks += l.click[i];
    r.conversions += l.conv[i];
    if (l.click[i] != 0) {
      cvr_clicked.push_back(p.p_cvr[i]);
      conv_clicked.push_back(l.conv[i]);
      domain_clicked.push_back(l.domain[i]);
      DomainCalibration& c = r.calibration[l.domain[i]];
      c.clicks += 1;
      c.conversions += l.conv[i];
      c.predicted += p.p_cvr[i];
    }
  }
  r.ctr_auc = auc(p.p_ctr, l.click);
  r.cvr_auc = auc(cvr_clicked, conv_clicked);
  r.ctcvr_auc = auc(ctcvr, l.conv);
  r.ctr_logloss = log_loss(p.p_ctr.data(), l.click.data(), n);
  r.cvr_logloss = log_loss(cvr_clicked.data(), conv_clicked.data(), conv_clicked.size());
  r.ctcvr_logloss = log_loss(ctcvr.data(), l.conv.data(), n);
  r.domain_cvr = domain_auc(cvr_clicked, conv_clicked, domain_clicked, n_domains);
  if (data.schema().has_truth) r.oracle = oracle_figures(data);
  return r;
}

}  // namespace mmn
