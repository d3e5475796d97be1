// The device loss against the CPU op (host/mmn/ops/weighted_bce.h), under every thread order
// of the emulator, with the per-domain scales loss_scales makes of the counts. Tolerances: the
// kernel works in fp32 and the reference in doubles. A row's gradient is a few fp32 operations
// on unit-scale terms, then scaled by 1/N (CTR) and the domain's scale (CVR): it agrees to 2e-5
// relative, plus 1e-7 of those scales absolute where a CTR and a CVR term nearly cancel. The loss, a sum of up to 300000 fp32 terms in a tree, agrees to 1e-5
// relative. Counts are integers and must be exact.
#include "mmn/kernels/weighted_bce.cuh"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "mmn/device/device_buffer.h"
#include "mmn/ops/weighted_bce.h"
#include "mmn/device/run_in_all_orders.h"

namespace mmn {
namespace {

struct Batch {
  std::vector<float> ctr, cvr;
  std::vector<std::uint8_t> click, conv;
  std::vector<std::uint32_t> domain;
};

// Zipf traffic over n_domains (some absent), logits ~ N(0, 3) with some at +-100.
Batch random_batch(std::uint32_t rows, std::uint32_t n_domains, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Batch b;
  for (std::uint32_t i = 0; i < rows; ++i) {
    const auto rank = static_cast<std::uint32_t>(std::pow(u(rng), 2.5) * n_domains) % n_domains;
    b.domain.push_back((rank * 7919u) % n_domains);
    const bool extreme = u(rng) < 0.02;
    b.ctr.push_back(extreme ? (u(rng) < 0.5 ? -100.0f : 100.0f) : normal(rng));
    b.cvr.push_back(extreme && u(rng) < 0.5 ? -100.0f : normal(rng));
    b.click.push_back(u(rng) < 0.3);
    b.conv.push_back(b.click.back() != 0 && u(rng) < 0.4);
  }
  return b;
}

struct DeviceResult {
  std::vector<unsigned long long> counts;
  std::vector<float> d_ctr, d_cvr, loss;
  bool operator==(const DeviceResult& o) const {
    return counts == o.counts && d_ctr == o.d_ctr && d_cvr == o.d_cvr && loss == o.loss;
  }
};

DeviceResult run_device(const Batch& b, std::uint32_t n_domains, const kernels::BceParams& p,
                        const std::vector<double>& scale) {
  const auto rows = static_cast<std::uint32_t>(b.domain.size());
  DeviceBuffer<float> ctr(b.ctr), cvr(b.cvr), d_ctr(rows), d_cvr(rows), block_sums(2 * kernels::bce_blocks(rows)),
      loss(3), cvr_scale(std::vector<float>(scale.begin(), scale.end()));
  DeviceBuffer<std::uint8_t> click(b.click), conv(b.conv);
  DeviceBuffer<std::uint32_t> domain(b.domain);
  DeviceBuffer<unsigned long long> counts(n_domains + 1);
  kernels::count_loss_rows(click.data(), domain.data(), rows, n_domains, p.clicked_mode, counts.data(), nullptr);
  kernels::WeightedBceArgs a;
  a.ctr_logit = ctr.data(), a.cvr_logit = cvr.data(), a.click = click.data(), a.conv = conv.data();
  a.domain = domain.data(), a.rows = rows, a.cvr_scale = cvr_scale.data();
  a.params = p, a.d_ctr = d_ctr.data(), a.d_cvr = d_cvr.data(), a.block_sums = block_sums.data();
  a.loss = loss.data();
  kernels::weighted_bce(a, nullptr);
  return {counts.download(), d_ctr.download(), d_cvr.download(), loss.download()};
}

void expect_close(const std::vector<float>& got, const std::vector<float>& want, const std::vector<double>& scale,
                  const std::string& what) {
  ASSERT_EQ(got.size(), want.size());
  int bad = 0;
  for (std::size_t i = 0; i < got.size() && bad < 5; ++i)
    if (!(std::abs(got[i] - want[i]) <= 2e-5 * std::abs(want[i]) + 1e-7 * scale[i])) {
      ADD_FAILURE() << what << "[" << i << "]: device " << got[i] << ", cpu " << want[i];
      ++bad;
    }
}

struct Case {
  std::uint32_t rows;
  std::uint32_t n_domains;
  bool clicked_mode;
  bool dynamic_weight;
  DomainWeightNorm norm = DomainWeightNorm::mean;
  float power = 1.0f;
};

std::string name_of(const ::testing::TestParamInfo<Case>& info) {
  const Case& c = info.param;
  return "rows" + std::to_string(c.rows) + "_domains" + std::to_string(c.n_domains) +
         (c.clicked_mode ? "_clicked" : "_ctcvr") + (c.dynamic_weight ? "_dynamic" : "_plain") +
         (c.norm == DomainWeightNorm::paper ? "_paper" : "") +
         (c.power != 1.0f ? "_power" + std::to_string(static_cast<int>(c.power * 100)) : "");
}

class WeightedBceKernel : public ::testing::TestWithParam<Case> {};

TEST_P(WeightedBceKernel, MatchesTheCpuOpInEveryThreadOrder) {
  const Case c = GetParam();
  const Batch b = random_batch(c.rows, c.n_domains, c.rows + c.n_domains);
  const CvrMode mode = c.clicked_mode ? CvrMode::clicked : CvrMode::ctcvr;
  const LossCounts counts = count_loss_rows(b.click.data(), b.domain.data(), c.rows, c.n_domains, mode);
  LossOptions options{mode, 0.7f, c.dynamic_weight};
  options.dynamic_weight_norm = c.norm;
  options.dynamic_weight_power = c.power;
  const LossScales scales = loss_scales(counts, options);
  kernels::BceParams p;
  p.clicked_mode = c.clicked_mode;
  p.cvr_weight = options.cvr_weight;
  p.ctr_scale = static_cast<float>(scales.ctr);

  const auto runs = sim::run_in_all_orders([&] { return run_device(b, c.n_domains, p, scales.cvr_domain); });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();
  const DeviceResult& got = runs.results.front();

  for (std::uint32_t d = 0; d < c.n_domains; ++d) ASSERT_EQ(got.counts[d], counts.cvr_domain[d]) << "domain " << d;
  EXPECT_EQ(got.counts[c.n_domains], counts.cvr_rows);

  std::vector<float> d_ctr(c.rows), d_cvr(c.rows);
  const LossValue want = weighted_bce(b.ctr.data(), b.cvr.data(), b.click.data(), b.conv.data(), b.domain.data(),
                                      c.rows, scales, d_ctr.data(), d_cvr.data());
  std::vector<double> scale(c.rows);
  for (std::uint32_t i = 0; i < c.rows; ++i) scale[i] = scales.ctr + p.cvr_weight * scales.cvr_domain[b.domain[i]];
  expect_close(got.d_ctr, d_ctr, scale, "d_ctr");
  expect_close(got.d_cvr, d_cvr, scale, "d_cvr");
  EXPECT_NEAR(got.loss[1], want.ctr, 1e-5 * std::abs(want.ctr));
  EXPECT_NEAR(got.loss[2], want.cvr, 1e-5 * std::abs(want.cvr));
  EXPECT_NEAR(got.loss[0], want.total, 1e-5 * std::abs(want.total));
  EXPECT_TRUE(std::isfinite(got.loss[0]));
}

INSTANTIATE_TEST_SUITE_P(Batches, WeightedBceKernel,
                         ::testing::Values(Case{1, 357, false, true}, Case{17, 357, true, true},
                                           Case{4096, 357, false, true}, Case{4096, 357, true, true},
                                           Case{4096, 357, false, false}, Case{4096, 357, true, false},
                                           Case{4096, 357, false, true, DomainWeightNorm::paper},
                                           Case{4096, 357, true, true, DomainWeightNorm::mean, 0.5f},
                                           Case{300000, 12, false, true}, Case{1000, 1, true, true}),
                         name_of);

}  // namespace
}  // namespace mmn
