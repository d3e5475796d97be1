#include "mmn/serve/predictor.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "mmn/model/mmn_model.h"
#include "mmn/train/evaluator.h"
#include "mmn/train/run_loader.h"
#include "mmn/util/error.h"
#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

constexpr std::uint32_t kBatchRows = 4096;

void check_rows(const Schema& schema, const ColumnView& rows) {
  if (rows.categorical.size() != schema.categorical.size() || rows.dense.size() != schema.dense.size())
    fail("predict: the rows have {} categorical and {} dense columns, the model {} and {}", rows.categorical.size(),
         rows.dense.size(), schema.categorical.size(), schema.dense.size());
  for (std::size_t i = 0; i < rows.rows; ++i) {
    if (rows.type[i] >= schema.n_types)
      fail("predict: row {}: type {} is outside the model's {} types", i, rows.type[i], schema.n_types);
    if (rows.scenario[i] >= schema.n_scenarios)
      fail("predict: row {}: scenario {} is outside the model's {} scenarios", i, rows.scenario[i],
           schema.n_scenarios);
    for (std::size_t f = 0; f < schema.categorical.size(); ++f)
      if (rows.categorical[f][i] >= schema.categorical[f].vocab_size)
        fail("predict: row {}: {} id {} is outside its vocabulary of {}", i, schema.categorical[f].name,
             rows.categorical[f][i], schema.categorical[f].vocab_size);
    for (std::size_t j = 0; j < schema.dense.size(); ++j)
      if (!std::isfinite(rows.dense[j][i]))
        fail("predict: row {}: dense feature {} is not finite", i, schema.dense[j]);
  }
}

}  // namespace

struct Predictor::State {
  LoadedRun run;
  ThreadPool pool;
  std::mutex turn;  // the model keeps per-batch buffers: one call at a time
  State(const std::string& run_dir, const std::string& checkpoint, std::size_t threads)
      : run(load_run(run_dir, checkpoint)), pool(threads > 0 ? threads : ThreadPool::default_threads()) {}
};

Predictor::Predictor(const std::string& run_dir, const std::string& checkpoint, std::size_t threads)
    : state_(std::make_unique<State>(run_dir, checkpoint, threads)) {}
Predictor::~Predictor() = default;
Predictor::Predictor(Predictor&&) noexcept = default;
Predictor& Predictor::operator=(Predictor&&) noexcept = default;

const Schema& Predictor::schema() const { return state_->run.model->schema(); }
std::uint64_t Predictor::step() const { return state_->run.step; }

void Predictor::predict(const ColumnView& rows, float* p_ctr, float* p_cvr) const {
  check_rows(schema(), rows);
  const std::lock_guard<std::mutex> lock(state_->turn);
  MmnModel& model = *state_->run.model;
  const ForwardPass forward = with_rare_ids_mapped(
      model, [&](const ColumnView& part, float* ctr, float* cvr) { model.forward(part, ctr, cvr, state_->pool); });
  const Predictions p = predict_rows(forward, rows, kBatchRows);
  std::copy(p.p_ctr.begin(), p.p_ctr.end(), p_ctr);
  std::copy(p.p_cvr.begin(), p.p_cvr.end(), p_cvr);
}

}  // namespace mmn
