#include "mmn/train/step_loss.h"

#include "mmn/comm/gradient_exchange.h"
#include "mmn/data/dataset.h"
#include "mmn/data/summary.h"
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

std::vector<std::uint64_t> data_loss_rows_per_domain(const Dataset& data, const LossOptions& loss, ThreadPool& pool) {
  if (!loss.dynamic_weight || loss.dynamic_weight_counts != DomainCountSource::data) return {};
  const DataSummary summary = summarize(data, &pool);
  std::vector<std::uint64_t> rows;
  for (const DomainStats& d : summary.domains) rows.push_back(loss.cvr_mode == CvrMode::clicked ? d.clicks : d.rows);
  return rows;
}

}  // namespace mmn
