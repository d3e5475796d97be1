#include "mmn/synth/ground_truth.h"

#include <array>
#include <cmath>
#include <cstring>
#include <functional>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "mmn/synth/discrete.h"
#include "mmn/util/det_math.h"
#include "mmn/util/rng.h"
#include "mmn/util/thread_pool.h"

namespace mmn::synth {
namespace {

constexpr std::uint32_t kLatentChunk = 1u << 16;  // values of one field per latent-table task
constexpr std::uint32_t kCtrCalibrationChunks = 8;

// Latent integers: the sum of four uniform 6-bit values, centred, in [-126, 126]
// (nearly normal), with variance 4 (64^2 - 1) / 12 = 1365.
constexpr double kLatentIntegerSd = 36.945906403822335;  // sqrt(1365)

std::int8_t latent_integer(std::uint64_t bits) {
  const auto sum = static_cast<int>((bits & 63) + ((bits >> 6) & 63) + ((bits >> 12) & 63) + ((bits >> 18) & 63));
  return static_cast<std::int8_t>(sum - 126);
}

void run(ThreadPool* pool, std::size_t tasks, const std::function<void(std::size_t)>& task) {
  run_tasks(pool, tasks, task);
}

// A random vector whose dot product with a unit-variance phi has standard deviation `scale`.
void random_direction(Rng& rng, double scale, float* out) {
  const double per_coordinate = scale / std::sqrt(static_cast<double>(kLatentDim));
  for (std::size_t k = 0; k < kLatentDim; ++k) out[k] = static_cast<float>(per_coordinate * rng.normal());
}

// The intercept a with sum_i w_i sigmoid(a + r_i) = target * sum_i w_i (w empty: all 1),
// by Newton's method safeguarded with bisection (the left side increases with a).
// With x_i = e^(a + r_i) = e^a e^(r_i), sigmoid = x / (1 + x): one exponential per row.
double solve_intercept(const std::vector<double>& r, const std::vector<double>& w, double target) {
  std::vector<double> e(r.size());
  double total = 0.0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    e[i] = exp_det(r[i] < -600.0 ? -600.0 : (r[i] > 600.0 ? 600.0 : r[i]));
    total += w.empty() ? 1.0 : w[i];
  }
  double lo = -60.0, hi = 60.0;
  double a = logit_det(target);
  for (int iter = 0; iter < 200; ++iter) {
    const double scale = exp_det(a);
    double f = -target * total, slope = 0.0;
    for (std::size_t i = 0; i < r.size(); ++i) {
      const double x = scale * e[i];
      const double p = x / (1.0 + x);
      const double wi = w.empty() ? 1.0 : w[i];
      f += wi * p;
      slope += wi * (p * (1.0 - p));
    }
    if (f > 0.0) {
      hi = a;
    } else {
      lo = a;
    }
    if (std::fabs(f) <= 1e-10 * target * total || hi - lo < 1e-12) break;
    double next = slope > 0.0 ? a - f / slope : 0.5 * (lo + hi);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    a = next;
  }
  return a;
}

}  // namespace

GroundTruth::GroundTruth(const SynthConfig& config, const DomainPlan& plan, const FeatureSampler& features,
                         std::uint64_t seed, ThreadPool* pool) {
  config.validate();
  n_scenarios_ = config.n_scenarios;
  n_fields_ = config.categorical.size();
  n_dense_ = config.n_dense;
  make_effects(config, seed, pool);
  calibrate(config, plan, features, seed, pool);
}

void GroundTruth::make_effects(const SynthConfig& config, std::uint64_t seed, ThreadPool* pool) {
  Rng rng(seed, RngStream::effects);
  constexpr std::size_t K = kLatentDim;

  // Field weights: each field's importance in [0.3, 1], scaled so the categorical
  // fields give phi (1 - dense share) of its unit variance per coordinate.
  const double dense_share = n_dense_ == 0 ? 0.0 : (n_fields_ == 0 ? 1.0 : config.dense_share);
  std::vector<double> weight(n_fields_);
  double sum_sq = 0.0;
  for (std::size_t f = 0; f < n_fields_; ++f) {
    double& w = weight[f];
    w = 0.3 + 0.7 * rng.uniform();
    const double vocab = config.categorical[f].vocab;
    if (config.learnable_vocab > 0 && vocab > config.learnable_vocab) w *= std::sqrt(config.learnable_vocab / vocab);
    sum_sq += w * w;
  }
  for (auto& w : weight) w *= std::sqrt((1.0 - dense_share) / sum_sq);
  field_scale_.resize(n_fields_);
  for (std::size_t f = 0; f < n_fields_; ++f) field_scale_[f] = static_cast<float>(weight[f] / kLatentIntegerSd);
  dense_proj_.resize(n_dense_ * K);
  const double dense_scale = n_dense_ == 0 ? 0.0 : std::sqrt(dense_share / static_cast<double>(n_dense_));
  for (auto& u : dense_proj_) u = static_cast<float>(dense_scale * rng.normal());

  // Coefficient vectors and biases.
  std::vector<float> alpha(K), beta(K);
  random_direction(rng, config.ctr_shared_effect, alpha.data());
  random_direction(rng, config.cvr_shared_effect, beta.data());
  std::vector<float> beta_t(config.n_types * K), beta_s(config.n_scenarios * K), alpha_s(config.n_scenarios * K);
  for (std::uint32_t t = 0; t < config.n_types; ++t) random_direction(rng, config.cvr_type_effect, &beta_t[t * K]);
  for (std::uint32_t s = 0; s < config.n_scenarios; ++s) {
    random_direction(rng, config.cvr_scenario_effect, &beta_s[s * K]);
    random_direction(rng, config.ctr_scenario_effect, &alpha_s[s * K]);
  }
  random_direction(rng, 1.0, v1_);
  random_direction(rng, 1.0, v2_);
  gamma_ = config.cvr_nonlinear_effect;
  ctr_bias_.resize(config.n_scenarios);
  scen_bias_.resize(config.n_scenarios);
  for (std::uint32_t s = 0; s < config.n_scenarios; ++s) {
    ctr_bias_[s] = config.ctr_scenario_bias * rng.normal();
    scen_bias_[s] = config.cvr_scenario_bias * rng.normal();
  }
  type_bias_.assign(config.n_types, 0.0);

  ctr_vec_.resize(config.n_scenarios * K);
  for (std::uint32_t s = 0; s < config.n_scenarios; ++s)
    for (std::size_t k = 0; k < K; ++k) ctr_vec_[s * K + k] = alpha[k] + alpha_s[s * K + k];
  cvr_vec_.resize(std::size_t{config.n_types} * config.n_scenarios * K);
  for (std::uint32_t t = 0; t < config.n_types; ++t)
    for (std::uint32_t s = 0; s < config.n_scenarios; ++s)
      for (std::size_t k = 0; k < K; ++k)
        cvr_vec_[(std::size_t{t} * config.n_scenarios + s) * K + k] = (beta[k] + beta_t[t * K + k]) + beta_s[s * K + k];

  // Latent tables, in chunks of values each drawn from its own stream.
  table_.resize(n_fields_);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> chunks;  // (field, first value)
  for (std::size_t f = 0; f < n_fields_; ++f) {
    table_[f].resize(std::size_t{config.categorical[f].vocab} * K);
    for (std::uint32_t v = 0; v < config.categorical[f].vocab; v += kLatentChunk)
      chunks.emplace_back(static_cast<std::uint32_t>(f), v);
  }
  run(pool, chunks.size(), [&](std::size_t c) {
    const auto [f, first] = chunks[c];
    Rng chunk_rng(seed, RngStream::latent, (std::uint64_t{f} << 32) | (first / kLatentChunk));
    const std::uint32_t vocab = config.categorical[f].vocab;
    const std::uint32_t end = vocab - first < kLatentChunk ? vocab : first + kLatentChunk;
    std::int8_t* out = table_[f].data() + std::size_t{first} * K;
    const std::size_t count = std::size_t{end - first} * K;  // even: K is
    for (std::size_t i = 0; i < count; i += 2) {
      const std::uint64_t bits = chunk_rng.next();
      out[i] = latent_integer(bits);
      out[i + 1] = latent_integer(bits >> 24);
    }
  });
}

double GroundTruth::field_weight(std::size_t f) const { return field_scale_[f] * kLatentIntegerSd; }

void GroundTruth::latent(const std::uint32_t* ids, const float* dense, float* phi) const {
  constexpr std::size_t K = kLatentDim;
  for (std::size_t k = 0; k < K; ++k) phi[k] = 0.0f;
  static_assert(K == 8, "the SSE2 path handles 8 coordinates");
#if defined(__SSE2__)
  // The same operations as the scalar loop below, four lanes at a time: exact int8 to
  // float conversion, then one IEEE multiply and one add per coordinate.
  __m128 lo = _mm_setzero_ps(), hi = _mm_setzero_ps();
  for (std::size_t f = 0; f < n_fields_; ++f) {
    const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(table_[f].data() + std::size_t{ids[f]} * K));
    const __m128i words = _mm_srai_epi16(_mm_unpacklo_epi8(bytes, bytes), 8);
    const __m128i lo32 = _mm_srai_epi32(_mm_unpacklo_epi16(words, words), 16);
    const __m128i hi32 = _mm_srai_epi32(_mm_unpackhi_epi16(words, words), 16);
    const __m128 scale = _mm_set1_ps(field_scale_[f]);
    lo = _mm_add_ps(lo, _mm_mul_ps(scale, _mm_cvtepi32_ps(lo32)));
    hi = _mm_add_ps(hi, _mm_mul_ps(scale, _mm_cvtepi32_ps(hi32)));
  }
  _mm_storeu_ps(phi, lo);
  _mm_storeu_ps(phi + 4, hi);
#else
  for (std::size_t f = 0; f < n_fields_; ++f) {
    std::int8_t e[K];
    std::memcpy(e, table_[f].data() + std::size_t{ids[f]} * K, K);
    const float scale = field_scale_[f];
    for (std::size_t k = 0; k < K; ++k) phi[k] += scale * static_cast<float>(e[k]);
  }
#endif
  for (std::size_t j = 0; j < n_dense_; ++j) {
    const float* u = dense_proj_.data() + j * K;
    const float x = dense[j];
    for (std::size_t k = 0; k < K; ++k) phi[k] += x * u[k];
  }
}

TrueLogits GroundTruth::logits(const std::uint32_t* ids, const float* dense, std::uint32_t t, std::uint32_t s) const {
  constexpr std::size_t K = kLatentDim;
  float phi[K];
  latent(ids, dense, phi);
  const float* a = ctr_vec_.data() + std::size_t{s} * K;
  const float* b = cvr_vec_.data() + (std::size_t{t} * n_scenarios_ + s) * K;
  float zc = 0.0f, zv = 0.0f, p1 = 0.0f, p2 = 0.0f;
  for (std::size_t k = 0; k < K; ++k) {
    zc += phi[k] * a[k];
    zv += phi[k] * b[k];
    p1 += phi[k] * v1_[k];
    p2 += phi[k] * v2_[k];
  }
  TrueLogits z;
  z.ctr = ctr_bias_[s] + static_cast<double>(zc);
  z.cvr = ((type_bias_[t] + scen_bias_[s]) + static_cast<double>(zv)) +
          gamma_ * (static_cast<double>(p1) * static_cast<double>(p2));
  return z;
}

float GroundTruth::probability(double logit) { return static_cast<float>(sigmoid_det(logit)); }

namespace {

// Draws `n` rows, the domain of each by pick(rng) -> {t, s}, and hands each row's
// logits to use(i, z). The features of a group of rows are drawn (and their latent
// vectors fetched) before any of their logits are computed, so the memory accesses
// of the group overlap.
template <typename Pick, typename Use>
void for_rows(const GroundTruth& truth, const FeatureSampler& features, Rng& rng, std::size_t n, Pick pick, Use use) {
  constexpr std::size_t kGroup = 16;
  const std::size_t fields = features.n_categorical(), n_dense = features.n_dense();
  std::vector<std::uint32_t> ids(kGroup * fields);
  std::vector<float> dense(kGroup * n_dense);
  std::array<std::uint32_t, kGroup> type{}, scenario{};
  for (std::size_t first = 0; first < n; first += kGroup) {
    const std::size_t m = n - first < kGroup ? n - first : kGroup;
    for (std::size_t j = 0; j < m; ++j) {
      const std::array<std::uint32_t, 2> ts = pick(rng);
      type[j] = ts[0];
      scenario[j] = ts[1];
      // Pointer arithmetic, not &v[i]: a config may have no dense (or no categorical) field.
      features.draw(rng, ts[1], ids.data() + j * fields, dense.data() + j * n_dense);
      truth.prefetch(ids.data() + j * fields);
    }
    for (std::size_t j = 0; j < m; ++j)
      use(first + j, truth.logits(ids.data() + j * fields, dense.data() + j * n_dense, type[j], scenario[j]));
  }
}

}  // namespace

void GroundTruth::calibrate(const SynthConfig& config, const DomainPlan& plan, const FeatureSampler& features,
                            std::uint64_t seed, ThreadPool* pool) {
  // With a_ctr = a_t = 0, logits() gives each row's logits less the intercepts.
  const DiscreteSampler domain_sampler(plan.traffic);
  const std::uint32_t n_s = plan.n_scenarios;

  // CTR: the mean of p_ctr over rows drawn from the whole traffic is mean_ctr.
  const std::uint32_t ctr_rows = config.calibration_rows * 2;
  const std::uint32_t per_chunk = ctr_rows / kCtrCalibrationChunks;
  std::vector<double> rest(std::size_t{per_chunk} * kCtrCalibrationChunks);
  run(pool, kCtrCalibrationChunks, [&](std::size_t c) {
    Rng rng(seed, RngStream::calibration, c);
    auto pick = [&](Rng& r) {
      const std::uint32_t d = domain_sampler(r.next());
      return std::array<std::uint32_t, 2>{d / n_s, d % n_s};
    };
    for_rows(*this, features, rng, per_chunk, pick,
             [&](std::size_t i, const TrueLogits& z) { rest[c * per_chunk + i] = z.ctr; });
  });
  ctr_intercept_ = solve_intercept(rest, {}, config.mean_ctr);
  for (auto& b : ctr_bias_) b += ctr_intercept_;

  // CVR: per type, the click-weighted mean of p_cvr over rows drawn from the type's
  // traffic is the type's base rate.
  std::vector<double> type_bias(plan.n_types, 0.0);
  run(pool, plan.n_types, [&](std::size_t t) {
    const auto type = static_cast<std::uint32_t>(t);
    std::vector<double> scenario_traffic(n_s);
    for (std::uint32_t s = 0; s < n_s; ++s) scenario_traffic[s] = plan.traffic[plan.index(type, s)];
    const DiscreteSampler scenario_sampler(scenario_traffic);
    Rng rng(seed, RngStream::calibration, kCtrCalibrationChunks + t);
    std::vector<double> r(config.calibration_rows), w(config.calibration_rows);
    auto pick = [&](Rng& g) { return std::array<std::uint32_t, 2>{type, scenario_sampler(g.next())}; };
    for_rows(*this, features, rng, config.calibration_rows, pick, [&](std::size_t i, const TrueLogits& z) {
      w[i] = probability(z.ctr);
      r[i] = z.cvr;
    });
    type_bias[t] = solve_intercept(r, w, plan.type_cvr[t]);
  });
  type_bias_ = type_bias;
}

}  // namespace mmn::synth
