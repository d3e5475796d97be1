// The whole training step on a GPU: the CUDA backend (cuda/mmn/cuda_backend) on the criteo-like
// configuration (17 fields of dimension 16; CTR and CVR towers 272-256-128-1; 17 x 21
// domains; batches of 4096 and 65536), MMN and the shared-tower network. A step is the host
// batch copied in, forward, loss, backward and the optimizer update, synchronised at its end
// (the loss comes back), so wall-clock time per step is the step's time. Reported as samples/s
// and as a fraction of the fp32 sgemm roofline measured on the same GPU in the same run:
// counted FLOPs per sample (6 x the forward multiply-adds) over the step time. Skips without a GPU.
#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>

#include "criteo_like_batch.h"
#include "gpu_check.h"
#include "gpu_roofline.h"
#include "mmn/cuda_backend/cuda_backend.h"
#include "mmn/model/mmn_model.h"
#include "mmn/model/optimizer.h"
#include "mmn/util/thread_pool.h"
#include "run_mode.h"

namespace {

using namespace mmn;

ModelConfig criteo_like_model(ModelKind kind) {
  ModelConfig c;
  c.kind = kind;
  c.embedding_dim = 16;
  c.ctr_hidden = {256, 128};
  c.cvr_hidden = {256, 128};
  return c;
}

void train_steps(benchmark::State& state, ModelKind kind) {
  perf::run_on_gpu(state, [&](benchmark::State& s) {
    const Schema schema = perf::criteo_like_schema();
    const auto rows = static_cast<std::uint32_t>(perf::size_for_run<std::int64_t>(s.range(0), 512));
    ThreadPool pool(1);
    MmnModel model(criteo_like_model(kind), schema, 1);
    Optimizer optimizer({}, model);
    const std::unique_ptr<TrainingBackend> backend = make_cuda_backend({model, &optimizer, pool, rows, 0});
    std::vector<ColumnBlock> batches;
    std::vector<LossScales> scales;
    std::vector<std::uint32_t> domain;
    for (std::uint32_t k = 0; k < 4; ++k) {
      batches.push_back(perf::criteo_like_batch(schema, rows, k));
      const ColumnView v = view_of(batches.back());
      model.domains_of(v, domain);
      scales.push_back(loss_scales(
          count_loss_rows(v.click, domain.data(), v.rows, model.grid().n_domains(), CvrMode::clicked), {}));
    }
    backend->compute_gradients(view_of(batches[0]), scales[0]);  // warm-up: first-touch and module loading
    double seconds = 0;
    std::size_t k = 0;
    for (auto _ : s) {
      const auto t0 = std::chrono::steady_clock::now();
      benchmark::DoNotOptimize(backend->compute_gradients(view_of(batches[k % 4]), scales[k % 4]));
      backend->apply_optimizer(optimizer.next_step());
      const double step = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      s.SetIterationTime(step);
      seconds += step;
      ++k;
    }
    const double flops_per_sample = 6.0 * static_cast<double>(model.forward_macs_per_row());
    s.counters["samples/s"] = benchmark::Counter(static_cast<double>(s.iterations()) * rows / seconds);
    s.counters["flops_per_sample"] = flops_per_sample;
    perf::report_gpu_work(s, {flops_per_sample * rows, 0.0}, seconds);
  });
}

void BM_GpuTrainStep_MMN(benchmark::State& state) { train_steps(state, ModelKind::mmn); }
void BM_GpuTrainStep_SharedTower(benchmark::State& state) { train_steps(state, ModelKind::shared); }

BENCHMARK(BM_GpuTrainStep_MMN)->Arg(4096)->Arg(65536)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GpuTrainStep_SharedTower)->Arg(4096)->Arg(65536)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace
