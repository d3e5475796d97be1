#pragma once
// The MMN loss over a batch: L = L_ctr + lambda * L_cvr, computed from logits in
// log-sigmoid form (no log of a probability), with the gradient w.r.t. both logits.
//   L_ctr = mean_i BCE(sigmoid(a_i), click_i) over all rows.
//   ctcvr mode:   L_cvr = (1/N) sum_i w_i BCE(sigmoid(a_i) sigmoid(b_i), conv_i) over all rows;
//   clicked mode: the same with BCE(sigmoid(b_i), conv_i) over clicked rows, counts over clicked rows.
//   w_i = N / N^{d(i)} with dynamic weight, else 1.
// N and N^d come from LossCounts, which under data parallelism are the global batch's.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mmn {

enum class CvrMode { ctcvr, clicked };

struct LossOptions {
  CvrMode cvr_mode = CvrMode::ctcvr;
  float cvr_weight = 1.0f;  // lambda
  bool dynamic_weight = true;
};

struct LossCounts {
  std::uint64_t rows = 0;                 // all rows (the CTR mean)
  std::uint64_t cvr_rows = 0;             // N: all rows (ctcvr) or clicked rows (clicked)
  std::vector<std::uint64_t> cvr_domain;  // N^d, same convention

  void add(const LossCounts& other);
};

LossCounts count_loss_rows(const std::uint8_t* click, const std::uint32_t* domain, std::size_t n,
                           std::uint32_t n_domains, CvrMode mode);

struct LossValue {
  double total = 0.0;
  double ctr = 0.0;
  double cvr = 0.0;
};

// Loss of the n rows given, normalised by `counts`; gradients of that loss written to
// d_ctr_logit and d_cvr_logit (both length n).
LossValue weighted_bce(const float* ctr_logit, const float* cvr_logit, const std::uint8_t* click,
                       const std::uint8_t* conv, const std::uint32_t* domain, std::size_t n, const LossCounts& counts,
                       const LossOptions& options, float* d_ctr_logit, float* d_cvr_logit);

}  // namespace mmn
