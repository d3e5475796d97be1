#include "mmn/train/train_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "mmn/util/error.h"
#include "testing/temp_dir.h"
#include "testing/error_of.h"

namespace mmn {
namespace {

std::string write(const testing::TempDir& tmp, const std::string& name, const std::string& text) {
  const std::string path = tmp / name;
  std::ofstream(path) << text;
  return path;
}

using mmn::testing::error_of;

void expect_same(const TrainConfig& a, const TrainConfig& b) {
  EXPECT_EQ(a.data.train, b.data.train);
  EXPECT_EQ(a.data.test, b.data.test);
  EXPECT_EQ(a.data.heldout, b.data.heldout);
  EXPECT_EQ(a.model.kind, b.model.kind);
  EXPECT_EQ(a.model.composition, b.model.composition);
  EXPECT_EQ(a.model.type_part, b.model.type_part);
  EXPECT_EQ(a.model.scenario_part, b.model.scenario_part);
  EXPECT_EQ(a.model.embedding_dim, b.model.embedding_dim);
  EXPECT_EQ(a.model.ctr_hidden, b.model.ctr_hidden);
  EXPECT_EQ(a.model.cvr_hidden, b.model.cvr_hidden);
  EXPECT_EQ(a.model.routing, b.model.routing);
  EXPECT_EQ(a.model.embedding_init_std, b.model.embedding_init_std);
  EXPECT_EQ(a.model.min_id_count, b.model.min_id_count);
  EXPECT_EQ(a.loss.cvr_mode, b.loss.cvr_mode);
  EXPECT_EQ(a.loss.cvr_weight, b.loss.cvr_weight);
  EXPECT_EQ(a.loss.ctr_weight, b.loss.ctr_weight);
  EXPECT_EQ(a.loss.dynamic_weight, b.loss.dynamic_weight);
  EXPECT_EQ(a.loss.dynamic_weight_norm, b.loss.dynamic_weight_norm);
  EXPECT_EQ(a.loss.dynamic_weight_power, b.loss.dynamic_weight_power);
  EXPECT_EQ(a.loss.dynamic_weight_counts, b.loss.dynamic_weight_counts);
  EXPECT_EQ(a.loss.dynamic_weight_cap, b.loss.dynamic_weight_cap);
  EXPECT_EQ(a.optimizer.kind, b.optimizer.kind);
  EXPECT_EQ(a.optimizer.adam.lr, b.optimizer.adam.lr);
  EXPECT_EQ(a.optimizer.adam.beta1, b.optimizer.adam.beta1);
  EXPECT_EQ(a.optimizer.adam.beta2, b.optimizer.adam.beta2);
  EXPECT_EQ(a.optimizer.adam.eps, b.optimizer.adam.eps);
  EXPECT_EQ(a.optimizer.adagrad.lr, b.optimizer.adagrad.lr);
  EXPECT_EQ(a.optimizer.adagrad.initial_accumulator, b.optimizer.adagrad.initial_accumulator);
  EXPECT_EQ(a.optimizer.adagrad.eps, b.optimizer.adagrad.eps);
  EXPECT_EQ(a.optimizer.specific_lr_scale, b.optimizer.specific_lr_scale);
  EXPECT_EQ(a.optimizer.embedding_lr_scale, b.optimizer.embedding_lr_scale);
  EXPECT_EQ(a.optimizer.embedding_optimizer, b.optimizer.embedding_optimizer);
  EXPECT_EQ(a.optimizer.embedding_lr, b.optimizer.embedding_lr);
  EXPECT_EQ(a.optimizer.embedding_l2, b.optimizer.embedding_l2);
  EXPECT_EQ(a.optimizer.dense_l2, b.optimizer.dense_l2);
  EXPECT_EQ(a.optimizer.warmup_steps, b.optimizer.warmup_steps);
  EXPECT_EQ(a.optimizer.decay, b.optimizer.decay);
  EXPECT_EQ(a.optimizer.final_lr_fraction, b.optimizer.final_lr_fraction);
  EXPECT_EQ(a.train.batch_size, b.train.batch_size);
  EXPECT_EQ(a.train.epochs, b.train.epochs);
  EXPECT_EQ(a.train.max_steps, b.train.max_steps);
  EXPECT_EQ(a.train.seed, b.train.seed);
  EXPECT_EQ(a.train.threads, b.train.threads);
  EXPECT_EQ(a.train.device, b.train.device);
  EXPECT_EQ(a.train.precision, b.train.precision);
  EXPECT_EQ(a.train.log_every, b.train.log_every);
  EXPECT_EQ(a.train.eval_every, b.train.eval_every);
  EXPECT_EQ(a.train.checkpoint_every, b.train.checkpoint_every);
  EXPECT_EQ(a.train.keep_checkpoints, b.train.keep_checkpoints);
  EXPECT_EQ(a.train.eval_batch_size, b.train.eval_batch_size);
  EXPECT_EQ(a.train.shuffle_window, b.train.shuffle_window);
  EXPECT_EQ(a.train.on_divergence, b.train.on_divergence);
  EXPECT_EQ(a.train.validation_fraction, b.train.validation_fraction);
  EXPECT_EQ(a.train.validation_metric, b.train.validation_metric);
  EXPECT_EQ(a.train.validate_every, b.train.validate_every);
  EXPECT_EQ(a.train.early_stopping_patience, b.train.early_stopping_patience);
  EXPECT_EQ(a.train.max_skipped_batches, b.train.max_skipped_batches);
  EXPECT_EQ(a.run.dir, b.run.dir);
  EXPECT_EQ(a.run.plots, b.run.plots);
}

// A configuration that sets a value in every section.
const char* const kEverySection = R"([data]
train = "d/train"
test = "d/test"
[model]
kind = "star"
composition = "sum"
type_part = false
scenario_part = false
embedding_dim = 12
ctr_hidden = [64, 32, 8]
cvr_hidden = []
routing = "masked"
embedding_init_std = 0.02
[loss]
cvr_mode = "clicked"
cvr_weight = 2
ctr_weight = 0.5
dynamic_weight = true
[optimizer]
name = "adam"
lr = 0.003
beta1 = 0.8
beta2 = 0.99
eps = 1e-7
initial_accumulator = 0.5
[train]
batch_size = 1024
epochs = 2
max_steps = 77
seed = 42
threads = 2
device = "auto"
log_every = 5
eval_every = 100
checkpoint_every = 300
keep_checkpoints = 2
eval_batch_size = 999
shuffle_window = 8
[run]
dir = "runs/x"
plots = false
)";

TEST(TrainConfig, ReadsEverySection) {
  testing::TempDir tmp;
  const std::string path = write(tmp, "cfg.toml", kEverySection);
  const TrainConfig c = load_train_config(path, {});
  EXPECT_EQ(c.data.train, "d/train");
  EXPECT_EQ(c.data.test, "d/test");
  EXPECT_EQ(c.data.heldout, "");
  EXPECT_EQ(c.model.kind, ModelKind::star);
  EXPECT_EQ(c.model.composition, Composition::sum);
  EXPECT_FALSE(c.model.type_part);
  EXPECT_FALSE(c.model.scenario_part);
  EXPECT_EQ(c.model.embedding_dim, 12u);
  EXPECT_EQ(c.model.ctr_hidden, (std::vector<std::uint32_t>{64, 32, 8}));
  EXPECT_TRUE(c.model.cvr_hidden.empty());
  EXPECT_EQ(c.model.routing, RoutingMode::masked);
  EXPECT_FLOAT_EQ(c.model.embedding_init_std, 0.02f);
  EXPECT_EQ(c.loss.cvr_mode, CvrMode::clicked);
  EXPECT_FLOAT_EQ(c.loss.cvr_weight, 2.0f);
  EXPECT_FLOAT_EQ(c.loss.ctr_weight, 0.5f);
  EXPECT_TRUE(c.loss.dynamic_weight);
  EXPECT_EQ(c.optimizer.kind, OptimizerKind::adam);
  EXPECT_FLOAT_EQ(c.optimizer.adam.lr, 0.003f);
  EXPECT_FLOAT_EQ(c.optimizer.adam.beta1, 0.8f);
  EXPECT_FLOAT_EQ(c.optimizer.adam.beta2, 0.99f);
  EXPECT_FLOAT_EQ(c.optimizer.adam.eps, 1e-7f);
  EXPECT_FLOAT_EQ(c.optimizer.adagrad.initial_accumulator, 0.5f);
  EXPECT_FLOAT_EQ(c.optimizer.adagrad.lr, AdagradConfig{}.lr);  // lr went to the chosen optimizer only
  EXPECT_EQ(c.train.batch_size, 1024u);
  EXPECT_EQ(c.train.epochs, 2u);
  EXPECT_EQ(c.train.max_steps, 77u);
  EXPECT_EQ(c.train.seed, 42u);
  EXPECT_EQ(c.train.threads, 2u);
  EXPECT_EQ(c.train.device, "auto");
  EXPECT_EQ(c.train.log_every, 5u);
  EXPECT_EQ(c.train.eval_every, 100u);
  EXPECT_EQ(c.train.checkpoint_every, 300u);
  EXPECT_EQ(c.train.keep_checkpoints, 2u);
  EXPECT_EQ(c.train.eval_batch_size, 999u);
  EXPECT_EQ(c.train.shuffle_window, 8u);
  EXPECT_EQ(c.run.dir, "runs/x");
  EXPECT_FALSE(c.run.plots);
}

TEST(TrainConfig, MissingKeysKeepTheirDefaults) {
  const TrainConfig c = load_train_config("", {"data.train=somewhere"});
  TrainConfig expected;
  expected.data.train = "somewhere";
  expect_same(c, expected);
}

TEST(TrainConfig, OverridesApplyInOrderAfterTheFile) {
  testing::TempDir tmp;
  const std::string path = write(tmp, "cfg.toml", "[data]\ntrain = \"a\"\n[train]\nbatch_size = 100\n");
  const TrainConfig c = load_train_config(
      path, {"train.batch_size=200", "train.batch_size=300", "model.cvr_hidden=512,256", "model.ctr_hidden=[64, 8]",
             "model.kind=shared", "model.type_part=false", "loss.cvr_weight=0.5", "data.test=\"t dir\"",
             "train.seed=+9", "train.device=cuda", "run.dir=r"});
  EXPECT_EQ(c.data.train, "a");
  EXPECT_EQ(c.train.batch_size, 300u);
  EXPECT_EQ(c.model.cvr_hidden, (std::vector<std::uint32_t>{512, 256}));
  EXPECT_EQ(c.model.ctr_hidden, (std::vector<std::uint32_t>{64, 8}));
  EXPECT_EQ(c.model.kind, ModelKind::shared);
  EXPECT_FALSE(c.model.type_part);
  EXPECT_FLOAT_EQ(c.loss.cvr_weight, 0.5f);
  EXPECT_EQ(c.data.test, "t dir");
  EXPECT_EQ(c.train.seed, 9u);
  EXPECT_EQ(c.train.device, "cuda");
  EXPECT_EQ(c.run.dir, "r");
}

TEST(TrainConfig, LearningRateGoesToTheOptimizerChosenLast) {
  testing::TempDir tmp;
  const std::string path = write(tmp, "cfg.toml", "[data]\ntrain = \"a\"\n[optimizer]\nlr = 0.01\neps = 1e-6\n");
  const TrainConfig c = load_train_config(path, {"optimizer.name=adagrad"});
  EXPECT_EQ(c.optimizer.kind, OptimizerKind::adagrad);
  EXPECT_FLOAT_EQ(c.optimizer.adagrad.lr, 0.01f);
  EXPECT_FLOAT_EQ(c.optimizer.adagrad.eps, 1e-6f);
  EXPECT_FLOAT_EQ(c.optimizer.adam.lr, AdamConfig{}.lr);
  EXPECT_FLOAT_EQ(c.optimizer.adam.eps, AdamConfig{}.eps);
}

TEST(TrainConfig, ToTomlRoundTrips) {
  TrainConfig c;
  c.data = {"tr \"quoted\" \\ dir", "te", "ho"};
  c.model.kind = ModelKind::separate;
  c.model.composition = Composition::sum;
  c.model.type_part = false;
  c.model.embedding_dim = 7;
  c.model.ctr_hidden = {5};
  c.model.cvr_hidden = {};
  c.model.routing = RoutingMode::masked;
  c.model.embedding_init_std = 0.1f / 3.0f;
  c.model.min_id_count = 5;
  c.loss.cvr_mode = CvrMode::clicked;
  c.loss.cvr_weight = 0.3f;
  c.loss.ctr_weight = 1.5f;
  c.loss.dynamic_weight = true;
  c.loss.dynamic_weight_norm = DomainWeightNorm::paper;
  c.loss.dynamic_weight_power = 0.25f;
  c.loss.dynamic_weight_counts = DomainCountSource::data;
  c.loss.dynamic_weight_cap = 1.5f;
  c.optimizer.kind = OptimizerKind::adagrad;
  c.optimizer.adagrad.lr = 1.0f / 7.0f;
  c.optimizer.adagrad.eps = 3e-9f;
  c.optimizer.adagrad.initial_accumulator = 0.0f;
  c.optimizer.adam.beta1 = 0.5f;
  c.optimizer.adam.beta2 = 0.25f;
  c.optimizer.embedding_lr_scale = 0.5f;
  c.optimizer.embedding_l2 = 1e-5f;
  c.optimizer.embedding_optimizer = EmbeddingOptimizer::adam;
  c.optimizer.embedding_lr = 3e-4f;
  c.optimizer.dense_l2 = 3e-6f;
  c.optimizer.warmup_steps = 77;
  c.optimizer.decay = LrDecay::cosine;
  c.optimizer.final_lr_fraction = 0.125f;
  c.train.batch_size = 3;
  c.train.epochs = 4;
  c.train.max_steps = 123456789012ull;
  c.train.seed = 99;
  c.train.threads = 1;
  c.train.device = "cuda";
  c.train.precision = Precision::bf16;
  c.train.log_every = 2;
  c.train.eval_every = 9;
  c.train.checkpoint_every = 11;
  c.train.keep_checkpoints = 1;
  c.train.eval_batch_size = 10;
  c.train.validation_fraction = 0.125f;
  c.train.validation_metric = ValidationMetric::domain_cvr_auc;
  c.train.validate_every = 250;
  c.train.early_stopping_patience = 4;
  c.train.shuffle_window = 1;
  c.run.dir = "some/run";
  c.run.plots = false;

  testing::TempDir tmp;
  const std::string text = to_toml(c);
  const std::string path = write(tmp, "resolved.toml", text);
  const TrainConfig back = load_train_config(path, {});
  expect_same(back, c);
  EXPECT_EQ(to_toml(back), text);
  EXPECT_NE(text.find("[optimizer]\nname = \"adagrad\"\n"), std::string::npos) << text;
  EXPECT_NE(text.find("cvr_hidden = []\n"), std::string::npos) << text;
  EXPECT_NE(text.find("initial_accumulator = 0.0\n"), std::string::npos) << text;

  // The defaults (with the required data.train) too.
  TrainConfig d;
  d.data.train = "x";
  const std::string path2 = write(tmp, "defaults.toml", to_toml(d));
  expect_same(load_train_config(path2, {}), d);
  EXPECT_NE(to_toml(d).find("lr = 0.001\n"), std::string::npos) << to_toml(d);
  EXPECT_NE(to_toml(d).find("ctr_hidden = [256, 128]\n"), std::string::npos) << to_toml(d);
}

TEST(TrainConfig, ShippedConfigsLoad) {
  const std::string dir = std::string(MMN_TEST_DATA_DIR) + "/../../configs/";
  const TrainConfig big = load_train_config(dir + "criteo-like.toml", {});
  EXPECT_EQ(big.data.train, "runs/criteo-like/data/train");
  EXPECT_EQ(big.data.heldout, "runs/criteo-like/data/heldout");
  EXPECT_EQ(big.train.batch_size, 4096u);
  EXPECT_EQ(big.model.embedding_dim, 16u);
  EXPECT_EQ(big.model.cvr_hidden, (std::vector<std::uint32_t>{256, 128}));
  EXPECT_EQ(big.run.dir, "runs/criteo-like/mmn");
  // The optimizer settings the accuracy study chose for this data (perf/accuracy/results/).
  EXPECT_FLOAT_EQ(big.optimizer.adam.lr, 3e-3f);
  EXPECT_EQ(big.optimizer.decay, LrDecay::cosine);
  EXPECT_FLOAT_EQ(big.optimizer.embedding_l2, 1e-4f);
  // Everything else is at its default, as the comments say.
  TrainConfig expected;
  expected.data = big.data;
  expected.run.dir = big.run.dir;
  expected.optimizer.adam.lr = big.optimizer.adam.lr;
  expected.optimizer.decay = big.optimizer.decay;
  expected.optimizer.embedding_l2 = big.optimizer.embedding_l2;
  expect_same(big, expected);

  const TrainConfig tiny = load_train_config(dir + "tiny.toml", {});
  EXPECT_EQ(tiny.data.test, "runs/tiny/data/test");
  EXPECT_EQ(tiny.model.embedding_dim, 8u);
  EXPECT_EQ(tiny.model.ctr_hidden, (std::vector<std::uint32_t>{32, 16}));
  EXPECT_EQ(tiny.model.cvr_hidden, (std::vector<std::uint32_t>{32, 16}));
  EXPECT_EQ(tiny.train.batch_size, 512u);
  EXPECT_EQ(tiny.train.epochs, 3u);
  EXPECT_EQ(tiny.run.dir, "runs/tiny/mmn");
}

TEST(TrainConfig, PrecisionKey) {
  EXPECT_EQ(load_train_config("", {"data.train=a"}).train.precision, Precision::fp32);
  EXPECT_EQ(load_train_config("", {"data.train=a", "train.precision=tf32"}).train.precision, Precision::tf32);
  const TrainConfig bf16 = load_train_config("", {"data.train=a", "train.precision=bf16"});
  EXPECT_EQ(bf16.train.precision, Precision::bf16);
  EXPECT_NE(to_toml(bf16).find("precision = \"bf16\"\n"), std::string::npos) << to_toml(bf16);
  EXPECT_EQ(error_of([] { load_train_config("", {"data.train=a", "train.precision=fp16"}); }),
            "train.precision in --set 'train.precision=fp16': unknown precision 'fp16' (choose fp32, tf32 or bf16)");
}

TEST(TrainConfig, DivergencePolicyKeys) {
  const TrainConfig defaults = load_train_config("", {"data.train=a"});
  EXPECT_EQ(defaults.train.on_divergence, "stop");
  EXPECT_EQ(defaults.train.max_skipped_batches, 10u);
  const TrainConfig skip =
      load_train_config("", {"data.train=a", "train.on_divergence=skip_batch", "train.max_skipped_batches=3"});
  EXPECT_EQ(skip.train.on_divergence, "skip_batch");
  EXPECT_EQ(skip.train.max_skipped_batches, 3u);
  auto err = [](const std::string& o) { return error_of([&] { load_train_config("", {"data.train=a", o}); }); };
  EXPECT_EQ(err("train.on_divergence=ignore"),
            "train.on_divergence in --set 'train.on_divergence=ignore': unknown divergence policy 'ignore' (choose "
            "stop or skip_batch)");
  EXPECT_EQ(err("train.max_skipped_batches=0"),
            "train.max_skipped_batches in --set 'train.max_skipped_batches=0': must be at least 1, got 0");
  EXPECT_NE(to_toml(skip).find("on_divergence = \"skip_batch\"\nmax_skipped_batches = 3\n"), std::string::npos)
      << to_toml(skip);
}

TEST(TrainConfig, EmbeddingOptimizerKeys) {
  const TrainConfig mixed = load_train_config(
      "", {"data.train=a", "optimizer.embedding_optimizer=adagrad", "optimizer.embedding_lr=0.02", "optimizer.lr=0.003"});
  EXPECT_EQ(mixed.optimizer.table_kind(), OptimizerKind::adagrad);
  EXPECT_FLOAT_EQ(mixed.optimizer.table_lr(), 0.02f);
  EXPECT_FLOAT_EQ(mixed.optimizer.adam.lr, 0.003f);
  EXPECT_EQ(load_train_config("", {"data.train=a", "optimizer.embedding_optimizer=adam"}).optimizer.table_kind(),
            OptimizerKind::adam);
  EXPECT_FLOAT_EQ(
      load_train_config("", {"data.train=a", "optimizer.embedding_optimizer=adagrad"}).optimizer.table_lr(),
      AdagradConfig{}.lr);
  EXPECT_EQ(error_of([] { load_train_config("", {"data.train=a", "optimizer.embedding_lr=0.02"}); }),
            "optimizer.embedding_lr: the embedding tables use the dense parameters' optimizer (adam), so their "
            "learning rate is optimizer.lr times optimizer.embedding_lr_scale; embedding_lr is for "
            "optimizer.embedding_optimizer set to the other one");
  EXPECT_NE(error_of([] { load_train_config("", {"data.train=a", "optimizer.embedding_optimizer=sgd"}); })
                .find("unknown embedding optimizer 'sgd' (choose same, adam or adagrad)"),
            std::string::npos);
}

}  // namespace
}  // namespace mmn
