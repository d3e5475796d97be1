// The training step on the criteo-like configuration (batch 4096; 17 fields of
// dimension 16; CTR and CVR towers 272-256-128-1; 17 x 21 domains), as samples/s and
// as a fraction of the dense-FLOP roofline measured in this run: a large OpenBLAS
// sgemm's FLOP/s divided by the counted FLOPs of one sample's step. Also: the same
// network with one shared CVR tower (alone, and stepping in turn with MMN for the ratio of
// their throughputs), grouped against masked routing, and evaluation.
#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>
#include <vector>

#include "criteo_like_batch.h"
#include "mmn/synth/synthesize.h"
#include "mmn/train/evaluator.h"
#include "mmn/model/mmn_model.h"
#include "mmn/model/optimizer.h"
#include "mmn/util/thread_pool.h"
#include "result_file.h"
#include "roofline_counters.h"
#include "run_mode.h"

namespace {

using namespace mmn;

ModelConfig criteo_like_model(ModelKind kind, RoutingMode routing = RoutingMode::grouped,
                              Composition composition = Composition::product) {
  ModelConfig c;
  c.kind = kind;
  c.composition = composition;
  c.routing = routing;
  c.embedding_dim = 16;
  c.ctr_hidden = {256, 128};
  c.cvr_hidden = {256, 128};
  return c;
}

// One network's training steps on four criteo-like batches in turn.
class Stepper {
 public:
  Stepper(ModelKind kind, RoutingMode routing, Composition composition)
      : batch_size_(perf::size_for_run<std::size_t>(4096, 512)),
        model_(criteo_like_model(kind, routing, composition), perf::criteo_like_schema(), 1),
        optimizer_({}, model_) {
    for (std::uint32_t s = 0; s < 4; ++s)
      batches_.push_back(perf::criteo_like_batch(perf::criteo_like_schema(), batch_size_, s));
  }

  void step(ThreadPool& pool) {
    const ColumnView rows = view_of(batches_[k_++ % batches_.size()]);
    model_.domains_of(rows, domain_);
    const LossCounts counts = count_loss_rows(rows.click, domain_.data(), rows.rows, 357, CvrMode::ctcvr);
    benchmark::DoNotOptimize(model_.compute_gradients(rows, counts, {}, pool));
    optimizer_.step(model_, pool);
  }
  double step_seconds(ThreadPool& pool) {
    const auto start = std::chrono::steady_clock::now();
    step(pool);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  std::size_t batch_size() const { return batch_size_; }
  // forward, input gradient and weight gradient: 3 GEMMs of 2 FLOPs per multiply-add
  double flops_per_sample() const { return 6.0 * static_cast<double>(model_.forward_macs_per_row()); }

 private:
  std::size_t batch_size_;
  MmnModel model_;
  Optimizer optimizer_;
  std::vector<ColumnBlock> batches_;
  std::vector<std::uint32_t> domain_;
  std::size_t k_ = 0;
};

void report_steps(benchmark::State& state, const Stepper& stepper, int steps_per_iteration = 1) {
  const double rows = static_cast<double>(stepper.batch_size()) * steps_per_iteration;
  state.counters["samples/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * rows, benchmark::Counter::kIsRate);
  state.counters["flops_per_sample"] = stepper.flops_per_sample();
  perf::report_flops(state, rows * stepper.flops_per_sample());
}

void run_steps(benchmark::State& state, ModelKind kind, RoutingMode routing,
               Composition composition = Composition::product) {
  ThreadPool pool;
  Stepper stepper(kind, routing, composition);
  for (auto _ : state) stepper.step(pool);
  report_steps(state, stepper);
}

// MMN and the shared-tower network stepping in turn in one process, so that both see the same
// load on a shared machine: MMN's throughput over the shared network's as the ratio of their
// median step times. Each turn is a few steps of one network, the first of them untimed: it
// finds the caches full of the other network's data, which training one network never does.
// Five steps a turn over the four batches, so that every batch is timed alike over four turns.
// The iteration time (manual) is the MMN turn's timed steps.
void BM_TrainStep_MMN_AlternatingWithSharedTower(benchmark::State& state) {
  constexpr int kTimedStepsPerTurn = 4;
  ThreadPool pool;
  Stepper mmn(ModelKind::mmn, RoutingMode::grouped, Composition::product);
  Stepper shared(ModelKind::shared, RoutingMode::grouped, Composition::product);
  perf::Samples mmn_s, shared_s;
  const auto turn = [&](Stepper& stepper, perf::Samples& samples) {
    std::vector<double>& seconds = samples.values;
    stepper.step(pool);
    double total = 0;
    for (int i = 0; i < kTimedStepsPerTurn; ++i) {
      seconds.push_back(stepper.step_seconds(pool));
      total += seconds.back();
    }
    return total;
  };
  for (auto _ : state) {
    state.SetIterationTime(turn(mmn, mmn_s));
    turn(shared, shared_s);
  }
  report_steps(state, mmn, kTimedStepsPerTurn);
  state.counters["mmn_step_ms"] = 1e3 * mmn_s.median();
  state.counters["shared_step_ms"] = 1e3 * shared_s.median();
  state.counters["mmn_over_shared_throughput"] = shared_s.median() / mmn_s.median();
}

void BM_TrainStep_MMN(benchmark::State& state) { run_steps(state, ModelKind::mmn, RoutingMode::grouped); }
void BM_TrainStep_MMN_Sum(benchmark::State& state) {
  run_steps(state, ModelKind::mmn, RoutingMode::grouped, Composition::sum);
}
void BM_TrainStep_SharedTower(benchmark::State& state) { run_steps(state, ModelKind::shared, RoutingMode::grouped); }
void BM_TrainStep_MMN_Masked(benchmark::State& state) { run_steps(state, ModelKind::mmn, RoutingMode::masked); }

void BM_Predict_MMN(benchmark::State& state) {
  const Schema schema = perf::criteo_like_schema();
  ThreadPool pool;
  MmnModel model(criteo_like_model(ModelKind::mmn), schema, 1);
  const ColumnBlock batch = perf::criteo_like_batch(schema, perf::size_for_run<std::size_t>(16384, 1024), 9);
  std::vector<float> ctr(batch.rows()), cvr(batch.rows());
  for (auto _ : state) model.forward(view_of(batch), ctr.data(), cvr.data(), pool);
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * batch.rows()), benchmark::Counter::kIsRate);
}

// Evaluation as `mmn eval` does it: predictions for every row of a criteo-like test set,
// then every metric (AUCs, per-domain AUCs, calibration, the oracle's figures).
void BM_Evaluate_MMN(benchmark::State& state) {
  const std::string dir = perf::scratch_dir("mmn_eval_bench");
  ThreadPool pool;
  synth::SynthOptions o;
  o.out_dir = dir;
  o.rows = perf::size_for_run(1000000, 20000);
  o.overwrite = true;
  synth::synthesize(synth::criteo_like_preset(), o, pool);
  const Dataset data = Dataset::open(dir + "/train", Verify::structure);
  MmnModel model(criteo_like_model(ModelKind::mmn), data.schema(), 1);
  for (auto _ : state) benchmark::DoNotOptimize(evaluate(data, predict(model, data, 16384, pool)).cvr_auc);
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * data.rows()), benchmark::Counter::kIsRate);
  std::filesystem::remove_all(dir);
}

BENCHMARK(BM_TrainStep_MMN)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(perf::min_time(5.0));
BENCHMARK(BM_TrainStep_MMN_Sum)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(perf::min_time(5.0));
BENCHMARK(BM_TrainStep_SharedTower)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(perf::min_time(5.0));
BENCHMARK(BM_TrainStep_MMN_AlternatingWithSharedTower)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->MinTime(perf::min_time(5.0));
// Every tower on every row: 357 times the tower work, one step takes tens of seconds;
// left out of smoke runs.
const auto* const masked_step =
    perf::smoke() ? nullptr
                  : benchmark::RegisterBenchmark("BM_TrainStep_MMN_Masked", BM_TrainStep_MMN_Masked)
                        ->Unit(benchmark::kMillisecond)
                        ->UseRealTime()
                        ->Iterations(1);
BENCHMARK(BM_Predict_MMN)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(perf::min_time(3.0));
BENCHMARK(BM_Evaluate_MMN)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(perf::min_time(3.0));

}  // namespace
