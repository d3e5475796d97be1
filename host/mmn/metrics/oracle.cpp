#include "mmn/metrics/oracle.h"

#include <fmt/format.h>

#include "mmn/data/dataset.h"
#include "mmn/metrics/auc.h"
#include "mmn/util/error.h"

namespace mmn {

OracleFigures oracle_figures(const Dataset& data) {
  const Schema& schema = data.schema();
  if (!schema.has_truth) fail("{}: has no true probabilities (p_ctr, p_cvr), so no oracle figures", data.path());
  std::vector<float> p_ctr, p_ctcvr, p_cvr_clicked;
  std::vector<std::uint8_t> click, conv, conv_clicked;
  std::vector<std::uint32_t> domain_clicked;
  p_ctr.reserve(data.rows());
  p_ctcvr.reserve(data.rows());
  click.reserve(data.rows());
  conv.reserve(data.rows());
  for (const auto& shard : data.shards()) {
    const ColumnView& v = shard.columns();
    for (std::size_t i = 0; i < v.rows; ++i) {
      p_ctr.push_back(v.p_ctr[i]);
      p_ctcvr.push_back(v.p_ctr[i] * v.p_cvr[i]);
      click.push_back(v.click[i]);
      conv.push_back(v.conv[i]);
      if (v.click[i] != 0) {
        p_cvr_clicked.push_back(v.p_cvr[i]);
        conv_clicked.push_back(v.conv[i]);
        domain_clicked.push_back(std::uint32_t{v.type[i]} * schema.n_scenarios + v.scenario[i]);
      }
    }
  }
  OracleFigures f;
  f.ctr_auc = auc(p_ctr, click);
  f.cvr_auc = auc(p_cvr_clicked, conv_clicked);
  f.ctcvr_auc = auc(p_ctcvr, conv);
  f.ctr_logloss = log_loss(p_ctr.data(), click.data(), click.size());
  f.cvr_logloss = log_loss(p_cvr_clicked.data(), conv_clicked.data(), conv_clicked.size());
  f.domain_cvr = domain_auc(p_cvr_clicked, conv_clicked, domain_clicked, schema.n_domains());
  return f;
}

std::string format_oracle(const OracleFigures& f) {
  return fmt::format(
      "oracle (true probabilities): CTR AUC {:.4f}  CVR AUC (clicked) {:.4f}  CTCVR AUC {:.4f}\n"
      "oracle logloss: CTR {:.5f}  CVR (clicked) {:.5f}\n"
      "oracle per-domain CVR AUC: mean {:.4f}, traffic-weighted {:.4f}, over {} domains with >= {} positives and "
      "negatives\n",
      f.ctr_auc, f.cvr_auc, f.ctcvr_auc, f.ctr_logloss, f.cvr_logloss, f.domain_cvr.mean, f.domain_cvr.weighted_mean,
      f.domain_cvr.scored, kMinDomainClassCount);
}

}  // namespace mmn
