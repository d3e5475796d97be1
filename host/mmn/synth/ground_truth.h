#pragma once
// The true model behind a synthetic data set. For a row with features x in
// domain (t, s):
//
//   phi(x)  = sum_f E_f[x_f] + sum_j x_dense_j U_j        (latent vector, kLatentDim)
//   z_ctr   = a_ctr + d_s + <phi, alpha + alpha_s>
//   z_cvr   = a_t + c_s + <phi, beta + beta_t + beta_s> + gamma <phi, v1> <phi, v2>
//   p_ctr   = sigmoid(z_ctr),  p_cvr = sigmoid(z_cvr)
//
// E_f[v] is a latent vector per value v of field f: small integers (8 bytes per
// value, so the tables of a 10^6-value field stay in cache) times the field's
// weight; phi has about unit variance per coordinate. The CVR effect of the features is
// shared (beta) plus type-specific (beta_t) plus scenario-specific (beta_s): a model
// with shared, per-type and per-scenario parameters can fit it, one shared tower
// cannot; the product term is a smaller shared nonlinearity. The intercepts a_ctr
// and a_t are calibrated on rows drawn from the data's own distribution so that the
// mean CTR is the configured one and each type's mean CVR per click is its base rate.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mmn/synth/domains.h"
#include "mmn/synth/features.h"
#include "mmn/synth/synth_config.h"

namespace mmn {
class ThreadPool;
}

namespace mmn::synth {

inline constexpr std::size_t kLatentDim = 8;

struct TrueLogits {
  double ctr = 0.0;
  double cvr = 0.0;
};

class GroundTruth {
 public:
  GroundTruth(const SynthConfig& config, const DomainPlan& plan, const FeatureSampler& features, std::uint64_t seed,
              ThreadPool* pool = nullptr);

  // Asks the cache for the latent vectors of `ids` (a hint; no effect on results).
  void prefetch(const std::uint32_t* ids) const {
    for (std::size_t f = 0; f < n_fields_; ++f) __builtin_prefetch(table_[f].data() + std::size_t{ids[f]} * kLatentDim);
  }
  // phi(x) into `phi` (kLatentDim floats).
  void latent(const std::uint32_t* ids, const float* dense, float* phi) const;
  TrueLogits logits(const std::uint32_t* ids, const float* dense, std::uint32_t t, std::uint32_t s) const;
  // The stored probability of a logit (a float; labels are drawn against this value).
  static float probability(double logit);

  double ctr_intercept() const { return ctr_intercept_; }
  // Field f's weight in phi (the standard deviation of its share of each coordinate).
  double field_weight(std::size_t f) const;
  double type_intercept(std::uint32_t t) const { return type_bias_[t]; }

 private:
  void make_effects(const SynthConfig& config, std::uint64_t seed, ThreadPool* pool);
  void calibrate(const SynthConfig& config, const DomainPlan& plan, const FeatureSampler& features, std::uint64_t seed,
                 ThreadPool* pool);

  std::uint32_t n_scenarios_ = 0;
  std::size_t n_fields_ = 0;
  std::size_t n_dense_ = 0;
  std::vector<std::vector<std::int8_t>> table_;  // [field][value * kLatentDim + k]
  std::vector<float> field_scale_;               // [field]: weight / standard deviation of the integers
  std::vector<float> dense_proj_;          // [j * kLatentDim + k]
  std::vector<float> ctr_vec_;             // [s * kLatentDim + k]: alpha + alpha_s
  std::vector<float> cvr_vec_;             // [(t * n_s + s) * kLatentDim + k]: beta + beta_t + beta_s
  float v1_[kLatentDim] = {};
  float v2_[kLatentDim] = {};
  double gamma_ = 0.0;
  double ctr_intercept_ = 0.0;
  std::vector<double> ctr_bias_;   // [s]: a_ctr + d_s
  std::vector<double> type_bias_;  // [t]: a_t
  std::vector<double> scen_bias_;  // [s]: c_s
};

}  // namespace mmn::synth
