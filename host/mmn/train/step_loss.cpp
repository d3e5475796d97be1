#include "mmn/train/step_loss.h"

#include "mmn/comm/gradient_exchange.h"
#include "mmn/util/error.h"

namespace mmn {

StepLoss global_step_loss(const ColumnView& rows, std::uint32_t n_domains, const LossOptions& options,
                          const std::vector<std::uint64_t>& data_domain_rows, Communicator& comm) {
  if (rows.domain == nullptr && rows.rows > 0) fail("global_step_loss: the rows carry no domain ids");
  StepLoss loss;
  loss.counts = count_loss_rows(rows.click, rows.domain, rows.rows, n_domains, options.cvr_mode);
  sum_loss_counts(comm, loss.counts);
  loss.counts.data_domain = data_domain_rows;
  loss.scales = loss_scales(loss.counts, options);
  return loss;
}

}  // namespace mmn
