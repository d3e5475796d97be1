#pragma once
// The MMN loss over a batch: L = w_ctr * L_ctr + lambda * L_cvr, computed from logits in
// log-sigmoid form (no log of a probability), with the gradient w.r.t. both logits.
//   L_ctr = mean_i BCE(sigmoid(a_i), click_i) over all rows.
//   ctcvr mode:   L_cvr = sum_i s_{d(i)} BCE(sigmoid(a_i) sigmoid(b_i), conv_i) over all rows;
//   clicked mode: the same with BCE(sigmoid(b_i), conv_i) over clicked rows only.
// The per-domain scale s_d comes from loss_scales (the one place both backends take it from):
//   no dynamic weight:      s_d = 1/N                            (the plain mean)
//   dynamic weight, "mean": s_d = n_d^-p / sum_i n_{d(i)}^-p     (rows' weights sum to 1)
//   dynamic weight, "paper": the "mean" scale times D, the domains present in the batch;
//     with p = 1 and batch counts that is s_d = 1/N^d, i.e. w_i = N / N^d (arXiv 2403.17425).
// n_d is the domain's count in the batch (N^d) or in the whole training data; p is the power
// (1: every present domain weighs the same, 0: every row does). A cap c >= 1 bounds every
// row's weight to c times the plain mean's 1/N (the weights are then renormalised).
// N and N^d come from LossCounts, which under data parallelism are the global batch's.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mmn {

enum class CvrMode { ctcvr, clicked };
enum class DomainWeightNorm { mean, paper };
enum class DomainCountSource { batch, data };

struct LossOptions {
  // clicked by default: on criteo-like data it measured higher CVR, CTCVR and mean per-domain CVR
  // AUC than ctcvr (perf/accuracy/results/).
  CvrMode cvr_mode = CvrMode::clicked;
  float cvr_weight = 1.0f;  // lambda
  // Off by default: on criteo-like data every dynamically weighted form measured lower CVR AUC
  // and mean per-domain CVR AUC than the plain mean (perf/accuracy/results/).
  bool dynamic_weight = false;
  DomainWeightNorm dynamic_weight_norm = DomainWeightNorm::mean;
  float dynamic_weight_power = 1.0f;  // p in [0, 1]
  DomainCountSource dynamic_weight_counts = DomainCountSource::batch;
  float dynamic_weight_cap = 0.0f;  // 0: no cap; else at least 1
  float ctr_weight = 1.0f;          // w_ctr
};

struct LossCounts {
  std::uint64_t rows = 0;                 // all rows (the CTR mean)
  std::uint64_t cvr_rows = 0;             // N: all rows (ctcvr) or clicked rows (clicked)
  std::vector<std::uint64_t> cvr_domain;  // N^d, same convention
  // The training data's N^d (same convention), for dynamic_weight_counts = data; not summed by add.
  std::vector<std::uint64_t> data_domain;

  void add(const LossCounts& other);
};

LossCounts count_loss_rows(const std::uint8_t* click, const std::uint32_t* domain, std::size_t n,
                           std::uint32_t n_domains, CvrMode mode);

// What the per-row loss needs: L = ctr * sum_i BCE_ctr_i + lambda * sum_i cvr_domain[d(i)] BCE_cvr_i
// (ctr = w_ctr / N).
struct LossScales {
  CvrMode cvr_mode = CvrMode::ctcvr;
  double cvr_weight = 1.0;  // lambda
  double ctr = 0.0;
  std::vector<double> cvr_domain;  // 0 for domains absent from the batch
};

// Throws mmn::Error when the options ask for data counts that `counts` does not carry.
LossScales loss_scales(const LossCounts& counts, const LossOptions& options);

struct LossValue {
  double total = 0.0;
  double ctr = 0.0;
  double cvr = 0.0;
};

// Loss of the n rows given; gradients of that loss written to d_ctr_logit and d_cvr_logit
// (both length n).
LossValue weighted_bce(const float* ctr_logit, const float* cvr_logit, const std::uint8_t* click,
                       const std::uint8_t* conv, const std::uint32_t* domain, std::size_t n, const LossScales& scales,
                       float* d_ctr_logit, float* d_cvr_logit);
// The same with loss_scales(counts, options).
LossValue weighted_bce(const float* ctr_logit, const float* cvr_logit, const std::uint8_t* click,
                       const std::uint8_t* conv, const std::uint32_t* domain, std::size_t n, const LossCounts& counts,
                       const LossOptions& options, float* d_ctr_logit, float* d_cvr_logit);

}  // namespace mmn
