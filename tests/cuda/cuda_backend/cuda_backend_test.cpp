// The CUDA backend's whole training step against the CPU backend, step by step: the same
// model and batches through both, comparing the loss, every dense and embedding gradient, and
// the parameters and optimizer state after each update. cuda_backend_tests runs it on the SIMT
// emulator; cuda_backend_gpu_tests (CUDA builds) on a GPU, skipped where there is none.
#include "mmn/cuda_backend/cuda_backend.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "mmn/backend/cpu_backend.h"
#include "mmn/comm/communicator.h"
#include "mmn/kernels/composed_gemm.cuh"
#include "mmn/model/mmn_model.h"
#include "mmn/model/optimizer.h"
#include "mmn/util/error.h"
#include "mmn/util/thread_pool.h"
#include "testing/random_block.h"

namespace mmn {
namespace {

Schema step_schema() {
  Schema s;
  s.n_types = 3;
  s.n_scenarios = 4;
  s.categorical = {{"user", 40}, {"item", 9}, {"site", 300}};
  s.dense = {"price", "age"};
  return s;
}

ModelConfig step_model(ModelKind kind, Composition composition = Composition::product) {
  ModelConfig c;
  c.kind = kind;
  c.composition = composition;
  c.embedding_dim = 4;
  c.ctr_hidden = {12};
  c.cvr_hidden = {10, 6};
  c.embedding_init_std = 0.3f;
  return c;
}

ColumnBlock batch(const Schema& schema, std::size_t rows, std::uint32_t seed) {
  ColumnBlock b = testing::random_block(schema, rows, seed);
  for (auto& column : b.dense)
    for (auto& v : column) v /= 400.0f;
  return b;
}

// The largest |a - b| over the largest |a|: fp32 sums in a different order differ by a few
// ulps of the largest term, so errors are judged against the array's scale.
double relative_difference(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double diff = 0, scale = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    diff = std::max(diff, std::fabs(static_cast<double>(a[i]) - b[i]));
    scale = std::max(scale, std::fabs(static_cast<double>(a[i])));
  }
  return scale > 0 ? diff / scale : diff;
}

struct Pair {
  Pair(const ModelConfig& model, const OptimizerConfig& optimizer, std::uint32_t max_rows,
       Precision gpu_precision = Precision::fp32)
      : cpu_model(model, step_schema(), 7),
        gpu_model(model, step_schema(), 7),
        cpu_optimizer(optimizer, cpu_model),
        gpu_optimizer(optimizer, gpu_model),
        cpu(make_cpu_backend({cpu_model, &cpu_optimizer, pool, max_rows, 0})),
        gpu(make_cuda_backend({gpu_model, &gpu_optimizer, pool, max_rows, 0, nullptr, gpu_precision})) {}
  void apply_optimizers() {
    cpu->apply_optimizer(cpu_optimizer.next_step());
    gpu->apply_optimizer(gpu_optimizer.next_step());
  }
  ThreadPool pool{2};
  MmnModel cpu_model, gpu_model;
  Optimizer cpu_optimizer, gpu_optimizer;
  std::unique_ptr<TrainingBackend> cpu, gpu;
  std::unique_ptr<Communicator> local = make_local_communicator();
};

// Tolerances: gradients 2e-4 of each tensor's largest magnitude (the grouped GEMM kernels'
// fp32 sums against the CPU's, as in the kernel tests, through three layers); the loss 1e-5
// relative (fp32 on the device, double on the CPU); parameters and optimizer state 1e-4 of
// each array's scale after every step (Adagrad scales each step by the gradient's size, so a
// gradient error moves a parameter by the same relative amount).
void expect_same_steps(const ModelConfig& model, const OptimizerConfig& optimizer, const LossOptions& loss_options,
                       const std::vector<std::size_t>& batch_rows) {
  const std::uint32_t max_rows = *std::max_element(batch_rows.begin(), batch_rows.end());
  Pair p(model, optimizer, max_rows);
  p.cpu_optimizer.set_total_steps(batch_rows.size());
  p.gpu_optimizer.set_total_steps(batch_rows.size());
  const Schema schema = step_schema();
  for (std::size_t step = 0; step < batch_rows.size(); ++step) {
    SCOPED_TRACE("step " + std::to_string(step + 1) + ", " + std::to_string(batch_rows[step]) + " rows");
    const ColumnBlock block = batch(schema, batch_rows[step], static_cast<std::uint32_t>(100 + step));
    const ColumnView rows = view_of(block);
    std::vector<std::uint32_t> domain;
    p.cpu_model.domains_of(rows, domain);
    const LossCounts counts =
        count_loss_rows(rows.click, domain.data(), rows.rows, p.cpu_model.grid().n_domains(), loss_options.cvr_mode);
    const LossScales scales = loss_scales(counts, loss_options);
    ColumnView rows_with_domains = rows;  // as a training step hands them over; the CPU works them out
    rows_with_domains.domain = domain.data();
    const LossValue a = p.cpu->compute_gradients(rows, scales);
    const LossValue b = p.gpu->compute_gradients(rows_with_domains, scales);
    EXPECT_NEAR(b.total, a.total, 1e-5 * std::fabs(a.total) + 1e-6);
    EXPECT_NEAR(b.ctr, a.ctr, 1e-5 * std::fabs(a.ctr) + 1e-6);
    EXPECT_NEAR(b.cvr, a.cvr, 1e-5 * std::fabs(a.cvr) + 1e-6);
    EXPECT_FALSE(p.gpu->non_finite_gradient(b).has_value());

    // Over a one-process communicator the exchange (the embedding rows merged on the device)
    // is the identity; the device's gradients then come to the host model to be compared.
    p.gpu->exchange_gradients(*p.local);
    p.gpu->gradients_to_host();
    for (const DenseTensor& t : p.cpu_model.dense().tensors()) {
      const auto& ga = p.cpu_model.dense().all_grads();
      const auto& gb = p.gpu_model.dense().all_grads();
      const std::vector<float> ta(ga.begin() + t.offset, ga.begin() + t.offset + t.size);
      const std::vector<float> tb(gb.begin() + t.offset, gb.begin() + t.offset + t.size);
      EXPECT_LT(relative_difference(ta, tb), 2e-4) << "gradient of " << t.name;
    }
    for (std::size_t t = 0; t < p.cpu_model.sparse_grads().size(); ++t) {
      EXPECT_EQ(p.gpu_model.sparse_grads()[t].ids, p.cpu_model.sparse_grads()[t].ids)
          << "rows of table " << p.cpu_model.embeddings()[t].name;
      EXPECT_LT(relative_difference(p.cpu_model.sparse_grads()[t].grads, p.gpu_model.sparse_grads()[t].grads), 2e-4)
          << "gradient of table " << p.cpu_model.embeddings()[t].name;
    }

    p.apply_optimizers();
    p.gpu->parameters_to_host();
    EXPECT_EQ(p.gpu_optimizer.steps(), p.cpu_optimizer.steps());
    EXPECT_LT(relative_difference(p.cpu_model.dense().all_values(), p.gpu_model.dense().all_values()), 1e-4);
    for (std::size_t t = 0; t < p.cpu_model.embeddings().size(); ++t)
      EXPECT_LT(relative_difference(p.cpu_model.embeddings()[t].values, p.gpu_model.embeddings()[t].values), 1e-4)
          << "table " << p.cpu_model.embeddings()[t].name;
    for (std::size_t k = 0; k < p.cpu_optimizer.dense_state().size(); ++k)
      EXPECT_LT(relative_difference(p.cpu_optimizer.dense_state()[k], p.gpu_optimizer.dense_state()[k]), 1e-4)
          << "optimizer state slot " << k;
  }

  // The trained models predict the same logits.
  const ColumnBlock held = batch(schema, 200, 999);
  std::vector<float> ctr_a(200), cvr_a(200), ctr_b(200), cvr_b(200);
  p.cpu->forward(view_of(held), ctr_a.data(), cvr_a.data());
  p.gpu->forward(view_of(held), ctr_b.data(), cvr_b.data());
  EXPECT_LT(relative_difference(ctr_a, ctr_b), 1e-4);
  EXPECT_LT(relative_difference(cvr_a, cvr_b), 1e-4);
}

OptimizerConfig adagrad() {
  OptimizerConfig o;
  o.kind = OptimizerKind::adagrad;
  o.adagrad.lr = 0.05f;
  o.specific_lr_scale = 4.0f;
  return o;
}

// Batches of varied sizes: several routing tiles, one row, partial tiles.
const std::vector<std::size_t> kBatches = {300, 1, 129, 64, 257};

TEST(CudaBackendStep, MmnProductMatchesCpuStepByStep) {
  LossOptions dynamic;
  dynamic.dynamic_weight = true;  // normalised over the present domains
  expect_same_steps(step_model(ModelKind::mmn), adagrad(), dynamic, kBatches);
}

// Batches of over 1024 rows: the towers' weight-gradient folds split over row ranges
// (fold_split.cuh), with the parts summed in order on the device.
TEST(CudaBackendStep, LargeBatchesSplitTheFoldAndMatchCpuStepByStep) {
  const ModelConfig model = step_model(ModelKind::mmn);
  ASSERT_EQ(kernels::fold_parts(model.cvr_hidden.back(), 1, 2100, kernels::kFoldTile), 4u);  // the logit layer
  expect_same_steps(model, adagrad(), LossOptions{}, {2100, 1100});
}

TEST(CudaBackendStep, MmnSumClickedModeMatchesCpuStepByStep) {
  LossOptions loss;
  loss.cvr_mode = CvrMode::clicked;
  loss.cvr_weight = 0.7f;
  loss.ctr_weight = 1.6f;
  expect_same_steps(step_model(ModelKind::mmn, Composition::sum), adagrad(), loss, kBatches);
}

// L2 on the tower weights (product factors pulled to 1) and the touched embedding rows, a
// separate embedding learning rate, warm-up and cosine decay: the host Optimizer makes every
// step's constants for both backends.
TEST(CudaBackendStep, RegularisedScheduledAdagradMatchesCpuStepByStep) {
  OptimizerConfig o = adagrad();
  o.dense_l2 = 0.05f;
  o.embedding_l2 = 0.2f;
  o.embedding_lr_scale = 3.0f;
  o.warmup_steps = 2;
  o.decay = LrDecay::cosine;
  o.final_lr_fraction = 0.1f;
  expect_same_steps(step_model(ModelKind::mmn), o, LossOptions{}, kBatches);
}

TEST(CudaBackendStep, PaperWeightAndCappedPowerWeightMatchCpuStepByStep) {
  LossOptions paper;
  paper.dynamic_weight = true;
  paper.dynamic_weight_norm = DomainWeightNorm::paper;
  expect_same_steps(step_model(ModelKind::mmn), adagrad(), paper, {300, 129});
  LossOptions capped;
  capped.dynamic_weight = true;
  capped.dynamic_weight_power = 0.5f;
  capped.dynamic_weight_cap = 3.0f;
  expect_same_steps(step_model(ModelKind::mmn), adagrad(), capped, {300, 129});
}

TEST(CudaBackendStep, SharedBaselineWithoutDynamicWeightMatchesCpuStepByStep) {
  LossOptions loss;
  expect_same_steps(step_model(ModelKind::shared), adagrad(), loss, {200, 17, 300});
}

TEST(CudaBackendStep, StarAndSeparateMatchCpuStepByStep) {
  ModelConfig star = step_model(ModelKind::star);
  star.domain_features = false;
  expect_same_steps(star, adagrad(), LossOptions{}, {300, 77});
  expect_same_steps(step_model(ModelKind::separate), adagrad(), LossOptions{}, {300, 77});
}

// Adam divides by the gradient's own size, so an element whose gradient is a near-exact
// cancellation may step differently; the bulk must agree. Returns the pair after 3 steps, its
// parameters on the host.
std::unique_ptr<Pair> adam_steps_near_cpu(const OptimizerConfig& o) {
  auto pair = std::make_unique<Pair>(step_model(ModelKind::mmn), o, 300);
  Pair& p = *pair;
  const Schema schema = step_schema();
  const LossOptions loss_options;
  for (std::uint32_t step = 0; step < 3; ++step) {
    const ColumnBlock block = batch(schema, 300, 500 + step);
    const ColumnView rows = view_of(block);
    std::vector<std::uint32_t> domain;
    p.cpu_model.domains_of(rows, domain);
    const LossCounts counts = count_loss_rows(rows.click, domain.data(), rows.rows, 12, loss_options.cvr_mode);
    p.cpu->compute_gradients(rows, loss_scales(counts, loss_options));
    p.gpu->compute_gradients(rows, loss_scales(counts, loss_options));
    p.apply_optimizers();
  }
  p.gpu->parameters_to_host();
  const auto& a = p.cpu_model.dense().all_values();
  const auto& b = p.gpu_model.dense().all_values();
  std::size_t off = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(std::fabs(a[i] - b[i]) <= 1e-5f + 1e-4f * std::fabs(a[i]))) ++off;  // NaN counts as off
  EXPECT_LE(off, a.size() / 1000) << off << " of " << a.size() << " parameters differ";
  return pair;
}

TEST(CudaBackendStep, AdamMatchesCpu) {
  OptimizerConfig o;
  o.kind = OptimizerKind::adam;
  o.adam.lr = 1e-3f;
  adam_steps_near_cpu(o);
}

// Adagrad on the tables beside Adam on the dense parameters: the device keeps one state slot per
// table and applies the tables' own learning rate; the rows match the CPU's.
TEST(CudaBackendStep, AdamDenseWithAdagradTablesMatchesCpu) {
  OptimizerConfig o;
  o.adam.lr = 1e-3f;
  o.embedding_optimizer = EmbeddingOptimizer::adagrad;
  o.embedding_lr = 0.1f;
  const std::unique_ptr<Pair> p = adam_steps_near_cpu(o);
  for (std::size_t t = 0; t < p->cpu_model.embeddings().size(); ++t) {
    const auto& a = p->cpu_model.embeddings()[t].values;
    const auto& b = p->gpu_model.embeddings()[t].values;
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], 1e-5f + 1e-4f * std::fabs(a[i])) << t << " " << i;
  }
}

// train.precision reaches the towers' kernels: a tf32 or bf16 step stays near the CPU's fp32 step
// (the whole dense gradient's relative L2 distance), and is further from it than the fp32 device
// step's 2e-4, so the rounding is there. Gradients move by more than the operands' relative
// rounding (tf32 2^-11, bf16 2^-8): a pre-activation near 0 that the rounding moves across the
// ReLU switches a whole entry of dz, which the kernel tests show for one layer.
void expect_step_near_fp32(Precision precision, double loss_bound, double gradient_bound) {
  SCOPED_TRACE(precision_name(precision));
  Pair p(step_model(ModelKind::mmn), adagrad(), 300, precision);
  EXPECT_NE(p.gpu->description().find(std::string(precision_name(precision)) + " tensor-core GEMMs"), std::string::npos)
      << p.gpu->description();
  const ColumnBlock block = batch(step_schema(), 300, 41);
  const ColumnView rows = view_of(block);
  std::vector<std::uint32_t> domain;
  p.cpu_model.domains_of(rows, domain);
  const LossScales scales = loss_scales(count_loss_rows(rows.click, domain.data(), rows.rows, 12, CvrMode::clicked),
                                        LossOptions{});
  const LossValue a = p.cpu->compute_gradients(rows, scales);
  const LossValue b = p.gpu->compute_gradients(rows, scales);
  EXPECT_NEAR(b.total, a.total, loss_bound * std::fabs(a.total));
  p.gpu->gradients_to_host();
  const auto& ga = p.cpu_model.dense().all_grads();
  const auto& gb = p.gpu_model.dense().all_grads();
  ASSERT_EQ(ga.size(), gb.size());
  double distance = 0, norm = 0;
  for (std::size_t i = 0; i < ga.size(); ++i) {
    distance += (static_cast<double>(ga[i]) - gb[i]) * (static_cast<double>(ga[i]) - gb[i]);
    norm += static_cast<double>(ga[i]) * ga[i];
  }
  const double relative = std::sqrt(distance / norm);
  EXPECT_LT(relative, gradient_bound);
  EXPECT_GT(relative, 2e-4) << "the gradient does not show the operands' rounding";
}

// Measured on this batch: gradient distance tf32 5.4e-4, bf16 0.033.
TEST(CudaBackendStep, Tf32AndBf16StepsStayNearTheFp32Step) {
  expect_step_near_fp32(Precision::tf32, 1e-3, 5e-3);
  expect_step_near_fp32(Precision::bf16, 5e-3, 0.1);
}

TEST(CudaBackendStep, NonFiniteGradientIsNamed) {
  Pair p(step_model(ModelKind::mmn), adagrad(), 64);
  const Schema schema = step_schema();
  ColumnBlock block = batch(schema, 64, 5);
  block.dense[1][3] = std::numeric_limits<float>::infinity();
  const ColumnView rows = view_of(block);
  std::vector<std::uint32_t> domain;
  p.cpu_model.domains_of(rows, domain);
  const LossCounts counts = count_loss_rows(rows.click, domain.data(), rows.rows, 12, CvrMode::ctcvr);
  const LossValue loss = p.gpu->compute_gradients(rows, loss_scales(counts, LossOptions{}));
  const auto what = p.gpu->non_finite_gradient(loss);
  ASSERT_TRUE(what.has_value());
  EXPECT_NE(what->find("not finite"), std::string::npos) << *what;
}

// Device failures reach the user as mmn errors (exit 1, "mmn: error: ..."), naming the problem.
TEST(CudaBackendStep, DeviceErrorsAreReportedAsErrors) {
  Pair p(step_model(ModelKind::mmn), adagrad(), 50);
  const ColumnBlock block = batch(step_schema(), 51, 3);
  std::vector<float> ctr(51), cvr(51);
  try {
    p.gpu->forward(view_of(block), ctr.data(), cvr.data());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("CUDA backend: DeviceModel: a batch of 51 rows exceeds the 50"),
              std::string::npos)
        << e.what();
  }
}

TEST(CudaBackendStep, MaskedRoutingIsRefusedWithAReason) {
  ModelConfig c = step_model(ModelKind::mmn);
  c.routing = RoutingMode::masked;
  ThreadPool pool(1);
  MmnModel model(c, step_schema(), 1);
  Optimizer optimizer(adagrad(), model);
  try {
    make_cuda_backend({model, &optimizer, pool, 16, 0});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("masked"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mmn
