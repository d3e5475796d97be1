#include "mmn/train/validation.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "mmn/metrics/auc.h"
#include "mmn/metrics/domain_auc.h"
#include "mmn/util/error.h"
#include "mmn/util/rng.h"

namespace mmn {
namespace {

constexpr std::uint64_t kSplitSeed = 0x76616c6964617465ull;

void append_rows(const ColumnView& v, std::uint64_t begin, std::uint64_t end, ColumnBlock& out) {
  out.click.insert(out.click.end(), v.click + begin, v.click + end);
  out.conv.insert(out.conv.end(), v.conv + begin, v.conv + end);
  out.type.insert(out.type.end(), v.type + begin, v.type + end);
  out.scenario.insert(out.scenario.end(), v.scenario + begin, v.scenario + end);
  for (std::size_t f = 0; f < v.categorical.size(); ++f)
    out.categorical[f].insert(out.categorical[f].end(), v.categorical[f] + begin, v.categorical[f] + end);
  for (std::size_t f = 0; f < v.dense.size(); ++f)
    out.dense[f].insert(out.dense[f].end(), v.dense[f] + begin, v.dense[f] + end);
  if (v.p_ctr != nullptr) {
    out.p_ctr.insert(out.p_ctr.end(), v.p_ctr + begin, v.p_ctr + end);
    out.p_cvr.insert(out.p_cvr.end(), v.p_cvr + begin, v.p_cvr + end);
  }
}

}  // namespace

ValidationMetric parse_validation_metric(const std::string& t) {
  if (t == "cvr_auc") return ValidationMetric::cvr_auc;
  if (t == "ctcvr_auc") return ValidationMetric::ctcvr_auc;
  if (t == "ctr_auc") return ValidationMetric::ctr_auc;
  if (t == "domain_cvr_auc") return ValidationMetric::domain_cvr_auc;
  if (t == "logloss") return ValidationMetric::logloss;
  fail("unknown validation metric '{}' (choose cvr_auc, ctcvr_auc, ctr_auc, domain_cvr_auc or logloss)", t);
}

const char* to_string(ValidationMetric m) {
  switch (m) {
    case ValidationMetric::cvr_auc: return "cvr_auc";
    case ValidationMetric::ctcvr_auc: return "ctcvr_auc";
    case ValidationMetric::ctr_auc: return "ctr_auc";
    case ValidationMetric::domain_cvr_auc: return "domain_cvr_auc";
    case ValidationMetric::logloss: return "logloss";
  }
  return "?";
}

ValidationSplit split_validation(const Dataset& data, float fraction) {
  ValidationSplit split;
  const std::size_t groups = data.row_groups().size();
  std::size_t held = 0;
  if (fraction > 0) held = std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(fraction * groups)));
  if (held >= groups && held > 0)
    fail("{}: train.validation_fraction = {} would leave no training rows: the data has {} row group{}; lower the "
         "fraction or train on more rows",
         data.path(), fraction, groups, groups == 1 ? "" : "s");
  std::vector<std::size_t> order(groups);
  for (std::size_t g = 0; g < groups; ++g) order[g] = g;
  Rng rng(kSplitSeed);
  for (std::size_t i = 0; i < held; ++i) std::swap(order[i], order[i + rng.below(groups - i)]);
  std::vector<std::size_t> validation(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(held));
  std::sort(validation.begin(), validation.end());
  split.train_groups.assign(order.begin() + static_cast<std::ptrdiff_t>(held), order.end());
  std::sort(split.train_groups.begin(), split.train_groups.end());
  split.rows.resize(data.schema(), 0);
  for (const std::size_t g : validation) {
    const RowGroupRef& ref = data.row_groups()[g];
    const RowRange r = data.shards()[ref.shard].group_rows(ref.group);
    append_rows(data.shards()[ref.shard].columns(), r.begin, r.end, split.rows);
  }
  return split;
}

double validation_score(ValidationMetric metric, const ColumnView& rows, const std::vector<float>& p_ctr,
                        const std::vector<float>& p_cvr, std::uint32_t n_scenarios, std::uint32_t n_domains) {
  const std::size_t n = rows.rows;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<float> ctcvr(n), cvr_clicked;
  std::vector<std::uint8_t> conv_clicked;
  std::vector<std::uint32_t> domain_clicked;
  for (std::size_t i = 0; i < n; ++i) {
    ctcvr[i] = p_ctr[i] * p_cvr[i];
    if (rows.click[i] == 0) continue;
    cvr_clicked.push_back(p_cvr[i]);
    conv_clicked.push_back(rows.conv[i]);
    domain_clicked.push_back(std::uint32_t{rows.type[i]} * n_scenarios + rows.scenario[i]);
  }
  switch (metric) {
    case ValidationMetric::cvr_auc: return auc(cvr_clicked, conv_clicked);
    case ValidationMetric::ctcvr_auc: return auc(ctcvr.data(), rows.conv, n);
    case ValidationMetric::ctr_auc: return auc(p_ctr.data(), rows.click, n);
    case ValidationMetric::domain_cvr_auc: {
      const DomainAuc d = domain_auc(cvr_clicked, conv_clicked, domain_clicked, n_domains);
      return d.scored > 0 ? d.mean : nan;
    }
    case ValidationMetric::logloss:
      return n > 0 ? -(log_loss(p_ctr.data(), rows.click, n) + log_loss(ctcvr.data(), rows.conv, n)) : nan;
  }
  return nan;
}

}  // namespace mmn
