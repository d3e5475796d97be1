// Training steps queued on the device (DeviceModel::queue_training_step / settle_queued_step):
// two steps in flight give the same losses, parameters and optimizer state, bit for bit, as the
// same steps one at a time (compute_gradients, the non-finite count, apply_optimizer); a step
// with a non-finite value is counted on the device and its update is not applied; queueing a
// third step, or settling none, is refused.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "cuda/cuda_backend/device_model_fixture.h"
#include "testing/random_block.h"

namespace mmn {
namespace {

using testing::DeviceModelFixture;

struct DeviceState {
  std::vector<float> dense;
  std::vector<std::vector<float>> tables;
  std::vector<std::vector<float>> dense_slots;
  bool operator==(const DeviceState& o) const {
    return dense == o.dense && tables == o.tables && dense_slots == o.dense_slots;
  }
};

DeviceState download(device::DeviceModel& d, const MmnModel& model, std::size_t slots) {
  DeviceState s;
  s.dense.resize(model.dense().size());
  std::vector<float*> tables;
  for (const auto& t : model.embeddings()) s.tables.emplace_back(t.values.size());
  for (auto& t : s.tables) tables.push_back(t.data());
  d.download_parameters(s.dense.data(), tables);
  s.dense_slots.assign(slots, std::vector<float>(model.dense().size()));
  std::vector<float*> dense;
  for (auto& slot : s.dense_slots) dense.push_back(slot.data());
  std::vector<std::vector<std::vector<float>>> table_state(model.embeddings().size());
  std::vector<std::vector<float*>> table_pointers(model.embeddings().size());
  for (std::size_t t = 0; t < model.embeddings().size(); ++t)
    for (std::size_t k = 0; k < slots; ++k) {
      table_state[t].emplace_back(model.embeddings()[t].values.size());
      table_pointers[t].push_back(table_state[t].back().data());
    }
  d.download_optimizer_state(dense, table_pointers);
  for (auto& t : table_state)
    for (auto& k : t) s.tables.push_back(k);
  return s;
}

std::vector<ColumnBlock> batches(const std::vector<std::size_t>& sizes) {
  std::vector<ColumnBlock> blocks;
  for (std::size_t i = 0; i < sizes.size(); ++i)
    blocks.push_back(testing::random_block(DeviceModelFixture::schema(), sizes[i], static_cast<std::uint32_t>(60 + i)));
  return blocks;
}

TEST(DeviceModelQueue, TwoStepsInFlightEqualTheStepsOneAtATime) {
  DeviceModelFixture f;
  const std::vector<ColumnBlock> blocks = batches({200, 150, 0, 200, 90});
  std::vector<double> one_at_a_time, queued;

  auto d = f.device_model(200);
  std::vector<HostBatchColumns> columns(blocks.size(), f.columns());
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const ColumnView rows = view_of(blocks[i]);
    one_at_a_time.push_back(d->compute_gradients(columns[i].of(rows), f.loss_for(rows)).total);
    ASSERT_EQ(d->non_finite_gradients(), 0u);
    d->apply_optimizer(f.optimizer.plan(i + 1));
  }
  const DeviceState want = download(*d, f.model, 2);

  auto q = f.device_model(200);
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const ColumnView rows = view_of(blocks[i]);
    if (i + 1 < blocks.size()) q->set_next_batch(columns[i + 1].of(view_of(blocks[i + 1])));
    q->queue_training_step(columns[i].of(rows), f.loss_for(rows), f.optimizer.plan(i + 1));
    if (q->queued_steps() == 2) {
      const auto done = q->settle_queued_step();
      EXPECT_EQ(done.non_finite, 0u);
      queued.push_back(done.loss.total);
    }
  }
  const auto last = q->settle_queued_step();
  queued.push_back(last.loss.total);
  EXPECT_EQ(q->queued_steps(), 0u);
  EXPECT_EQ(queued, one_at_a_time);
  EXPECT_TRUE(download(*q, f.model, 2) == want);
}

TEST(DeviceModelQueue, AStepWithANonFiniteValueIsCountedAndNotApplied) {
  DeviceModelFixture f;
  const std::vector<ColumnBlock> blocks = batches({120, 120});
  ColumnBlock bad = blocks[1];
  bad.dense[0][5] = std::numeric_limits<float>::infinity();
  HostBatchColumns c0 = f.columns(), c1 = f.columns();

  auto once = f.device_model(200);
  once->queue_training_step(c0.of(view_of(blocks[0])), f.loss_for(view_of(blocks[0])), f.optimizer.plan(1));
  EXPECT_EQ(once->settle_queued_step().non_finite, 0u);
  const DeviceState after_first = download(*once, f.model, 2);

  auto d = f.device_model(200);
  d->queue_training_step(c0.of(view_of(blocks[0])), f.loss_for(view_of(blocks[0])), f.optimizer.plan(1));
  d->queue_training_step(c1.of(view_of(bad)), f.loss_for(view_of(bad)), f.optimizer.plan(2));
  EXPECT_EQ(d->settle_queued_step().non_finite, 0u);
  const auto second = d->settle_queued_step();
  EXPECT_GT(second.non_finite, 0u);
  EXPECT_TRUE(download(*d, f.model, 2) == after_first) << "the non-finite step's update reached the parameters";
}

TEST(DeviceModelQueue, AThirdQueuedStepAndSettlingNothingAreRefused) {
  DeviceModelFixture f;
  const std::vector<ColumnBlock> blocks = batches({50});
  HostBatchColumns c = f.columns();
  const ColumnView rows = view_of(blocks[0]);
  auto d = f.device_model(64);
  EXPECT_THROW(d->settle_queued_step(), device::DeviceError);
  d->queue_training_step(c.of(rows), f.loss_for(rows), f.optimizer.plan(1));
  d->queue_training_step(c.of(rows), f.loss_for(rows), f.optimizer.plan(2));
  try {
    d->queue_training_step(c.of(rows), f.loss_for(rows), f.optimizer.plan(3));
    FAIL() << "a third queued step was accepted";
  } catch (const device::DeviceError& e) {
    EXPECT_NE(std::string(e.what()).find("two training steps are queued; settle one first"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace mmn
