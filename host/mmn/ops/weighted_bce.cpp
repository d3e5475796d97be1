#include "mmn/ops/weighted_bce.h"

#include <algorithm>
#include <cmath>

#include "mmn/util/error.h"

namespace mmn {
namespace {

// log(1 + e^x) without overflow.
inline double softplus(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }
inline double sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}
inline double log_sum_exp3(double x, double y, double z) {
  const double m = std::max({x, y, z});
  return m + std::log(std::exp(x - m) + std::exp(y - m) + std::exp(z - m));
}

// Lowers the largest scales to cap / N and raises the others by one common factor, so that the
// rows' weights still sum to 1 (water filling; cap >= 1 makes it feasible).
void apply_cap(const LossCounts& counts, double cap, std::vector<double>& scale) {
  const double limit = cap / static_cast<double>(counts.cvr_rows);
  std::vector<bool> clipped(scale.size(), false);
  for (std::size_t round = 0; round <= scale.size(); ++round) {
    double free_weight = 0.0, clipped_weight = 0.0;
    for (std::size_t d = 0; d < scale.size(); ++d) {
      const auto rows = static_cast<double>(counts.cvr_domain[d]);
      if (clipped[d]) clipped_weight += rows * limit;
      else free_weight += rows * scale[d];
    }
    const double factor = free_weight > 0 ? std::max(0.0, 1.0 - clipped_weight) / free_weight : 0.0;
    bool more = false;
    for (std::size_t d = 0; d < scale.size(); ++d) {
      if (clipped[d] || counts.cvr_domain[d] == 0) continue;
      if (scale[d] * factor > limit) clipped[d] = more = true;
    }
    if (more) continue;
    for (std::size_t d = 0; d < scale.size(); ++d) scale[d] = clipped[d] ? limit : scale[d] * factor;
    return;
  }
}

}  // namespace

void LossCounts::add(const LossCounts& o) {
  rows += o.rows;
  cvr_rows += o.cvr_rows;
  if (cvr_domain.size() < o.cvr_domain.size()) cvr_domain.resize(o.cvr_domain.size(), 0);
  for (std::size_t d = 0; d < o.cvr_domain.size(); ++d) cvr_domain[d] += o.cvr_domain[d];
}

LossCounts count_loss_rows(const std::uint8_t* click, const std::uint32_t* domain, std::size_t n,
                           std::uint32_t n_domains, CvrMode mode) {
  LossCounts c;
  c.rows = n;
  c.cvr_domain.assign(n_domains, 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (mode == CvrMode::clicked && click[i] == 0) continue;
    c.cvr_domain[domain[i]] += 1;
    c.cvr_rows += 1;
  }
  return c;
}

LossScales loss_scales(const LossCounts& counts, const LossOptions& options) {
  LossScales s;
  s.cvr_mode = options.cvr_mode;
  s.cvr_weight = options.cvr_weight;
  s.ctr = counts.rows > 0 ? options.ctr_weight / static_cast<double>(counts.rows) : 0.0;
  const std::size_t n_domains = counts.cvr_domain.size();
  s.cvr_domain.assign(n_domains, 0.0);
  if (counts.cvr_rows == 0) return s;
  if (!options.dynamic_weight) {
    for (std::size_t d = 0; d < n_domains; ++d)
      if (counts.cvr_domain[d] > 0) s.cvr_domain[d] = 1.0 / static_cast<double>(counts.cvr_rows);
    return s;
  }
  const bool from_data = options.dynamic_weight_counts == DomainCountSource::data;
  if (from_data && counts.data_domain.size() != n_domains)
    fail("loss.dynamic_weight_counts = \"data\" needs the training data's rows per domain ({} domains), got {}",
         n_domains, counts.data_domain.size());
  const double power = options.dynamic_weight_power;
  double total = 0.0;
  std::size_t present = 0;
  for (std::size_t d = 0; d < n_domains; ++d) {
    const std::uint64_t in_batch = counts.cvr_domain[d];
    if (in_batch == 0) continue;
    ++present;
    // A domain the data summary lacks (it cannot happen with the same data) falls back to its batch count.
    const std::uint64_t n = from_data && counts.data_domain[d] > 0 ? counts.data_domain[d] : in_batch;
    s.cvr_domain[d] = std::pow(static_cast<double>(n), -power);
    total += static_cast<double>(in_batch) * s.cvr_domain[d];
  }
  for (double& v : s.cvr_domain) v /= total;
  if (options.dynamic_weight_cap > 0) apply_cap(counts, options.dynamic_weight_cap, s.cvr_domain);
  if (options.dynamic_weight_norm == DomainWeightNorm::paper)
    for (double& v : s.cvr_domain) v *= static_cast<double>(present);
  return s;
}

LossValue weighted_bce(const float* ctr_logit, const float* cvr_logit, const std::uint8_t* click,
                       const std::uint8_t* conv, const std::uint32_t* domain, std::size_t n, const LossScales& scales,
                       float* d_ctr_logit, float* d_cvr_logit) {
  LossValue v;
  const double ctr_scale = scales.ctr;
  const double lambda = scales.cvr_weight;
  const bool clicked_mode = scales.cvr_mode == CvrMode::clicked;
  for (std::size_t i = 0; i < n; ++i) {
    const double a = ctr_logit[i];
    const double b = cvr_logit[i];
    const double c = click[i];
    const double y = conv[i];
    v.ctr += (softplus(a) - c * a) * ctr_scale;
    double grad_a = (sigmoid(a) - c) * ctr_scale;
    double grad_b = 0.0;

    const double scale = scales.cvr_domain[domain[i]];
    if ((!clicked_mode || click[i] != 0) && scale > 0) {
      if (clicked_mode) {
        v.cvr += (softplus(b) - y * b) * scale;
        grad_b = (sigmoid(b) - y) * scale * lambda;
      } else {
        // p = sigmoid(a) sigmoid(b); log p = -sp(-a) - sp(-b);
        // log(1 - p) = LSE(-a, -b, -a-b) - sp(-a) - sp(-b).
        const double sa = softplus(-a), sb = softplus(-b);
        const double lse = log_sum_exp3(-a, -b, -a - b);
        v.cvr += (y != 0 ? sa + sb : sa + sb - lse) * scale;
        // dl/da = sigmoid(-a) * ((1 - y) p/(1-p) - y), with p/(1-p) = exp(-lse).
        const double ga = y != 0 ? -sigmoid(-a) : std::exp(-softplus(a) - lse);
        const double gb = y != 0 ? -sigmoid(-b) : std::exp(-softplus(b) - lse);
        grad_a += ga * scale * lambda;
        grad_b = gb * scale * lambda;
      }
    }
    d_ctr_logit[i] = static_cast<float>(grad_a);
    d_cvr_logit[i] = static_cast<float>(grad_b);
  }
  v.total = v.ctr + lambda * v.cvr;
  return v;
}

LossValue weighted_bce(const float* ctr_logit, const float* cvr_logit, const std::uint8_t* click,
                       const std::uint8_t* conv, const std::uint32_t* domain, std::size_t n, const LossCounts& counts,
                       const LossOptions& options, float* d_ctr_logit, float* d_cvr_logit) {
  return weighted_bce(ctr_logit, cvr_logit, click, conv, domain, n, loss_scales(counts, options), d_ctr_logit,
                      d_cvr_logit);
}

}  // namespace mmn
