#pragma once
// A training step's loss, decided once for every backend: the batch's N and N^d (all rows in
// ctcvr mode, clicked rows in clicked mode), summed over the job's processes so that every rank
// weighs its rows by the global batch, made into the per-domain scales a backend's loss kernel
// takes (loss_scales, mmn/ops/weighted_bce.h).
#include <cstdint>
#include <vector>

#include "mmn/data/column_view.h"
#include "mmn/ops/weighted_bce.h"

namespace mmn {

class Communicator;
class Dataset;
class ThreadPool;

struct StepLoss {
  LossCounts counts;  // the global batch's
  LossScales scales;
};

// `rows` must carry their domain ids (ColumnView::domain). `data_domain_rows`: the training
// data's N^d, for loss.dynamic_weight_counts = "data" (empty otherwise).
StepLoss global_step_loss(const ColumnView& rows, std::uint32_t n_domains, const LossOptions& options,
                          const std::vector<std::uint64_t>& data_domain_rows, Communicator& comm);

// The training data's N^d (rows in ctcvr mode, clicked rows in clicked mode) when the loss weighs
// domains by it (loss.dynamic_weight_counts = "data"); empty otherwise. Every rank counts the
// whole data set.
std::vector<std::uint64_t> data_loss_rows_per_domain(const Dataset& data, const LossOptions& loss, ThreadPool& pool);

}  // namespace mmn
