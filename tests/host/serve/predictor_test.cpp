// mmn::Predictor against the evaluator's predictions, under concurrent calls and bad rows.
#include "mmn/serve/predictor.h"

#include <gtest/gtest.h>

#include <thread>

#include "mmn/data/dataset.h"
#include "mmn/model/mmn_model.h"
#include "mmn/train/evaluator.h"
#include "mmn/train/run_loader.h"
#include "mmn/train/trainer.h"
#include "mmn/util/thread_pool.h"
#include "testing/error_of.h"
#include "testing/temp_dir.h"
#include "testing/tiny_data.h"

namespace mmn {
namespace {

struct TrainedRun {
  testing::TempDir tmp;
  std::string data = testing::make_tiny_data(tmp, 8000, 4, 0);
  TrainedRun() {
    TrainConfig c;
    c.data.train = data + "/train";
    c.model.embedding_dim = 4;
    c.model.ctr_hidden = {8};
    c.model.cvr_hidden = {8, 4};
    c.model.min_id_count = 2;  // rare ids go through the model's id maps
    c.train.batch_size = 256;
    c.train.max_steps = 12;
    c.run.dir = tmp / "run";
    c.run.plots = false;
    train(c, {false, false, true});
  }
};

TEST(Predictor, ScoresAsTheEvaluatorDoes) {
  TrainedRun r;
  const Predictor predictor(r.tmp / "run", "", 2);
  EXPECT_EQ(predictor.step(), 12u);
  const Dataset test = Dataset::open(r.data + "/test");
  ThreadPool pool(2);
  LoadedRun run = load_run(r.tmp / "run");
  const Predictions expected = predict(
      with_rare_ids_mapped(*run.model, [&](const ColumnView& rows, float* ctr, float* cvr) {
        run.model->forward(rows, ctr, cvr, pool);
      }),
      test, 4096);
  std::vector<float> p_ctr, p_cvr;
  for (const auto& shard : test.shards()) {
    const ColumnView& rows = shard.columns();
    std::vector<float> ctr(rows.rows), cvr(rows.rows);
    predictor.predict(rows, ctr.data(), cvr.data());
    p_ctr.insert(p_ctr.end(), ctr.begin(), ctr.end());
    p_cvr.insert(p_cvr.end(), cvr.begin(), cvr.end());
  }
  ASSERT_EQ(p_ctr.size(), expected.p_ctr.size());
  for (std::size_t i = 0; i < p_ctr.size(); ++i) {
    ASSERT_NEAR(p_ctr[i], expected.p_ctr[i], 1e-6) << i;
    ASSERT_NEAR(p_cvr[i], expected.p_cvr[i], 1e-6) << i;
  }
}

TEST(Predictor, ConcurrentCallsGiveTheSameProbabilities) {
  TrainedRun r;
  const Predictor predictor(r.tmp / "run", "", 2);
  const Dataset test = Dataset::open(r.data + "/test");
  const ColumnView& rows = test.shards()[0].columns();
  std::vector<float> ctr0(rows.rows), cvr0(rows.rows);
  predictor.predict(rows, ctr0.data(), cvr0.data());
  std::vector<std::vector<float>> ctr(4, std::vector<float>(rows.rows)), cvr = ctr;
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&, t] {
      for (int k = 0; k < 5; ++k) predictor.predict(rows, ctr[t].data(), cvr[t].data());
    });
  for (auto& c : callers) c.join();
  for (int t = 0; t < 4; ++t) {
    EXPECT_EQ(ctr[t], ctr0) << t;
    EXPECT_EQ(cvr[t], cvr0) << t;
  }
}

TEST(Predictor, ARowOutOfRangeIsAnErrorAndNothingIsWritten) {
  TrainedRun r;
  const Predictor predictor(r.tmp / "run", "", 1);
  ColumnBlock block(predictor.schema(), 3);
  block.categorical[1][2] = predictor.schema().categorical[1].vocab_size;
  std::vector<float> ctr(3, -1.0f), cvr(3, -1.0f);
  const std::string message = testing::error_of([&] { predictor.predict(view_of(block), ctr.data(), cvr.data()); });
  EXPECT_NE(message.find("row 2: " + predictor.schema().categorical[1].name + " id"), std::string::npos) << message;
  EXPECT_NE(message.find("outside its vocabulary"), std::string::npos) << message;
  EXPECT_EQ(ctr, std::vector<float>(3, -1.0f));
  block.categorical[1][2] = 0;
  block.scenario[0] = static_cast<std::uint16_t>(predictor.schema().n_scenarios);
  EXPECT_NE(testing::error_of([&] { predictor.predict(view_of(block), ctr.data(), cvr.data()); })
                .find("row 0: scenario"),
            std::string::npos);
}

TEST(Predictor, ARunThatIsNotThereIsAClearError) {
  testing::TempDir tmp;
  const std::string message = testing::error_of([&] { Predictor p(tmp / "nothing"); });
  EXPECT_NE(message.find("not a run directory"), std::string::npos) << message;
}

}  // namespace
}  // namespace mmn
