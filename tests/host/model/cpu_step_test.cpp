#include "mmn/model/cpu_step.h"

#include <gtest/gtest.h>

#include <vector>

#include "mmn/model/mmn_model.h"
#include "mmn/util/thread_pool.h"
#include "testing/random_block.h"

namespace mmn {
namespace {

// A training step hands the CPU step its rows' domain ids; the step then uses them instead of
// working them out, with the same result to the bit.
TEST(CpuStep, TakesTheRowsDomainIdsWhenTheyComeWithThem) {
  ModelConfig c;
  c.embedding_dim = 3;
  c.ctr_hidden = {5};
  c.cvr_hidden = {6};
  ThreadPool pool(2);
  const ColumnBlock block = testing::random_block(testing::small_schema(false), 70, 3);
  ColumnView rows = view_of(block);
  MmnModel worked_out(c, testing::small_schema(false), 5), handed(c, testing::small_schema(false), 5);
  std::vector<std::uint32_t> domain;
  worked_out.domains_of(rows, domain);
  const LossScales scales = loss_scales(count_loss_rows(rows.click, domain.data(), rows.rows, 12, CvrMode::clicked), {});
  const LossValue a = worked_out.compute_gradients(rows, scales, pool);
  rows.domain = domain.data();
  const LossValue b = handed.compute_gradients(rows, scales, pool);
  EXPECT_EQ(a.total, b.total);
  EXPECT_EQ(worked_out.dense().all_grads(), handed.dense().all_grads());
  for (std::size_t t = 0; t < worked_out.sparse_grads().size(); ++t)
    EXPECT_EQ(worked_out.sparse_grads()[t].grads, handed.sparse_grads()[t].grads);
}

}  // namespace
}  // namespace mmn
