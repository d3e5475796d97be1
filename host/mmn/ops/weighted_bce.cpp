#include "mmn/ops/weighted_bce.h"

#include <algorithm>
#include <cmath>

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

LossValue weighted_bce(const float* ctr_logit, const float* cvr_logit, const std::uint8_t* click,
                       const std::uint8_t* conv, const std::uint32_t* domain, std::size_t n, const LossCounts& counts,
                       const LossOptions& options, float* d_ctr_logit, float* d_cvr_logit) {
  LossValue v;
  const double ctr_scale = counts.rows > 0 ? 1.0 / static_cast<double>(counts.rows) : 0.0;
  const double lambda = options.cvr_weight;
  for (std::size_t i = 0; i < n; ++i) {
    const double a = ctr_logit[i];
    const double b = cvr_logit[i];
    const double c = click[i];
    const double y = conv[i];
    v.ctr += (softplus(a) - c * a) * ctr_scale;
    double grad_a = (sigmoid(a) - c) * ctr_scale;
    double grad_b = 0.0;

    const bool in_cvr = options.cvr_mode == CvrMode::ctcvr || click[i] != 0;
    const std::uint64_t domain_rows = counts.cvr_domain[domain[i]];
    if (in_cvr && domain_rows > 0) {
      // (1/N) * w_i, with w_i = N / N^d under dynamic weighting.
      const double scale = options.dynamic_weight ? 1.0 / static_cast<double>(domain_rows)
                                                  : 1.0 / static_cast<double>(counts.cvr_rows);
      if (options.cvr_mode == CvrMode::clicked) {
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

}  // namespace mmn
