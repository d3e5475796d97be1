// Bad configuration files and overrides: each error names the file, the line or the override,
// and the key, and suggests the closest known name.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "mmn/train/train_config.h"
#include "mmn/util/error.h"
#include "testing/error_of.h"
#include "testing/temp_dir.h"

namespace mmn {
namespace {

using mmn::testing::error_of;

std::string write(const testing::TempDir& tmp, const std::string& name, const std::string& text) {
  const std::string path = tmp / name;
  std::ofstream(path) << text;
  return path;
}

TEST(TrainConfig, UnknownKeyNamesFileAndLineAndSuggests) {
  testing::TempDir tmp;
  const std::string path = write(tmp, "cfg.toml", "[data]\ntrain = \"a\"\n[model]\nembeding_dim = 8\n");
  EXPECT_EQ(error_of([&] { load_train_config(path, {}); }),
            "unknown key 'model.embeding_dim' at " + path + ":4; did you mean 'model.embedding_dim'?");
}

TEST(TrainConfig, UnknownSectionSuggestsTheClosest) {
  testing::TempDir tmp;
  const std::string path = write(tmp, "cfg.toml", "[data]\ntrain = \"a\"\n\n[optimiser]\nlr = 0.1\n");
  EXPECT_EQ(error_of([&] { load_train_config(path, {}); }),
            "unknown section 'optimiser' at " + path + ":4; did you mean 'optimizer'?");
}

TEST(TrainConfig, KeyOutsideAnySectionSuggestsItsSection) {
  testing::TempDir tmp;
  const std::string path = write(tmp, "cfg.toml", "batch_size = 5\n[data]\ntrain = \"a\"\n");
  EXPECT_EQ(error_of([&] { load_train_config(path, {}); }),
            "key 'batch_size' at " + path + ":1 is outside any section; did you mean 'train.batch_size'?");
}

TEST(TrainConfig, UnknownOverrideKeyNamesTheOverride) {
  EXPECT_EQ(error_of([] { load_train_config("", {"data.train=a", "train.batchsize=5"}); }),
            "unknown key 'train.batchsize' in --set 'train.batchsize=5'; did you mean 'train.batch_size'?");
  EXPECT_EQ(error_of([] { load_train_config("", {"data.train=a", "modle.kind=mmn"}); }),
            "unknown key 'modle.kind' in --set 'modle.kind=mmn'; did you mean 'model.kind'?");
  EXPECT_EQ(error_of([] { load_train_config("", {"data.train=a", "seed"}); }),
            "override '--set seed' is not of the form section.key=value");
}

TEST(TrainConfig, WrongTypesNameTheKey) {
  testing::TempDir tmp;
  const std::string path = write(tmp, "cfg.toml", "[data]\ntrain = \"a\"\n[train]\nbatch_size = \"big\"\n");
  EXPECT_EQ(error_of([&] { load_train_config(path, {}); }),
            "train.batch_size at " + path + ":4: must be an integer, got a string");
  const std::string path2 = write(tmp, "cfg2.toml", "[data]\ntrain = \"a\"\n[model]\nctr_hidden = [1, \"x\"]\n");
  EXPECT_EQ(error_of([&] { load_train_config(path2, {}); }),
            "model.ctr_hidden at " + path2 + ":4: must be a list of integers, got an array that holds more than "
            "integers");
  const std::string path3 = write(tmp, "cfg3.toml", "[data]\ntrain = \"a\"\n[run]\nplots = 1\n");
  EXPECT_EQ(error_of([&] { load_train_config(path3, {}); }),
            "run.plots at " + path3 + ":4: must be true or false, got an integer");
  EXPECT_EQ(error_of([] { load_train_config("", {"data.train=a", "train.epochs=2.5"}); }),
            "train.epochs in --set 'train.epochs=2.5': must be an integer, got '2.5'");
  EXPECT_EQ(error_of([] { load_train_config("", {"data.train=a", "run.plots=yes"}); }),
            "run.plots in --set 'run.plots=yes': must be true or false, got 'yes'");
  EXPECT_EQ(error_of([] { load_train_config("", {"data.train=a", "optimizer.lr=fast"}); }),
            "optimizer.lr in --set 'optimizer.lr=fast': must be a number, got 'fast'");
  EXPECT_EQ(error_of([] { load_train_config("", {"data.train=a", "model.cvr_hidden=256,,128"}); }),
            "model.cvr_hidden in --set 'model.cvr_hidden=256,,128': must be a list of integers, got '256,,128'");
}

TEST(TrainConfig, OutOfRangeValuesNameTheKey) {
  auto err = [](const std::string& o) { return error_of([&] { load_train_config("", {"data.train=a", o}); }); };
  EXPECT_EQ(err("train.batch_size=0"), "train.batch_size in --set 'train.batch_size=0': must be at least 1, got 0");
  EXPECT_EQ(err("train.epochs=-3"), "train.epochs in --set 'train.epochs=-3': must be at least 1, got -3");
  EXPECT_EQ(err("optimizer.lr=0"), "optimizer.lr in --set 'optimizer.lr=0': must be greater than 0, got 0");
  EXPECT_EQ(err("optimizer.lr=-0.1"), "optimizer.lr in --set 'optimizer.lr=-0.1': must be greater than 0, got -0.1");
  EXPECT_EQ(err("optimizer.beta1=1"), "optimizer.beta1 in --set 'optimizer.beta1=1': must be in [0, 1), got 1");
  EXPECT_EQ(err("optimizer.beta2=-0.5"),
            "optimizer.beta2 in --set 'optimizer.beta2=-0.5': must be in [0, 1), got -0.5");
  EXPECT_EQ(err("loss.cvr_weight=-1"), "loss.cvr_weight in --set 'loss.cvr_weight=-1': must be at least 0, got -1");
  EXPECT_EQ(err("optimizer.lr=nan"), "optimizer.lr in --set 'optimizer.lr=nan': must be a finite number, got nan");
  EXPECT_EQ(err("model.cvr_hidden=256,0"),
            "model.cvr_hidden[1] in --set 'model.cvr_hidden=256,0': must be at least 1, got 0");
  EXPECT_EQ(err("model.embedding_dim=0"),
            "model.embedding_dim in --set 'model.embedding_dim=0': must be at least 1, got 0");
  EXPECT_EQ(err("train.batch_size=4294967296"),
            "train.batch_size in --set 'train.batch_size=4294967296': must be at most 16777216, got 4294967296");
  EXPECT_EQ(err("model.kind=tower"),
            "model.kind in --set 'model.kind=tower': unknown model kind 'tower' (choose mmn, shared, separate or star)");
  EXPECT_EQ(err("train.device=tpu"),
            "train.device in --set 'train.device=tpu': unknown device 'tpu' (choose cpu, cuda or auto)");
  EXPECT_EQ(err("loss.cvr_mode=all"),
            "loss.cvr_mode in --set 'loss.cvr_mode=all': unknown cvr_mode 'all' (choose ctcvr or clicked)");
  EXPECT_EQ(err("optimizer.name=sgd"),
            "optimizer.name in --set 'optimizer.name=sgd': unknown optimizer 'sgd' (choose adam or adagrad)");
  EXPECT_EQ(err("run.dir="), "run.dir in --set 'run.dir=': must not be empty");
  EXPECT_EQ(err("train.validation_fraction=0.6"),
            "train.validation_fraction in --set 'train.validation_fraction=0.6': must be in [0, 0.5], got 0.6");
  EXPECT_EQ(err("train.validation_metric=auc"),
            "train.validation_metric in --set 'train.validation_metric=auc': unknown validation metric 'auc' (choose "
            "cvr_auc, ctcvr_auc, ctr_auc, domain_cvr_auc or logloss)");
  EXPECT_EQ(err("loss.dynamic_weight_power=1.5"),
            "loss.dynamic_weight_power in --set 'loss.dynamic_weight_power=1.5': must be in [0, 1], got 1.5");
  EXPECT_EQ(err("loss.dynamic_weight_cap=0.5"),
            "loss.dynamic_weight_cap in --set 'loss.dynamic_weight_cap=0.5': must be 0 (no cap) or at least 1, got 0.5");
  EXPECT_EQ(err("loss.dynamic_weight_norm=sum"),
            "loss.dynamic_weight_norm in --set 'loss.dynamic_weight_norm=sum': unknown dynamic_weight_norm 'sum' "
            "(choose mean or paper)");

  testing::TempDir tmp;
  const std::string path = write(tmp, "cfg.toml", "[data]\ntrain = \"a\"\n[optimizer]\n\nbeta1 = 1.5\n");
  EXPECT_EQ(error_of([&] { load_train_config(path, {}); }),
            "optimizer.beta1 at " + path + ":5: must be in [0, 1), got 1.5");
}

TEST(TrainConfig, MissingFileAndMissingTrainData) {
  EXPECT_EQ(error_of([] { load_train_config("/no/such/cfg.toml", {}); }),
            "config file '/no/such/cfg.toml' not found");
  EXPECT_NE(error_of([] { load_train_config("", {}); }).find("data.train is not set"), std::string::npos);
  testing::TempDir tmp;
  const std::string path = write(tmp, "cfg.toml", "[data]\ntrain = \"a\"\n");
  EXPECT_EQ(error_of([&] { load_train_config(path, {"data.train="}); }),
            "data.train is not set in " + path +
                ": give the training data directory in [data] train = \"DIR\" or with --set data.train=DIR");
}

TEST(TrainConfig, InvalidTomlNamesFileAndLine) {
  testing::TempDir tmp;
  const std::string path = write(tmp, "cfg.toml", "[data]\ntrain = \"a\"\n[train]\nbatch_size = = 3\n");
  const std::string message = error_of([&] { load_train_config(path, {}); });
  EXPECT_EQ(message.rfind(path + ":4:", 0), 0u) << message;
  EXPECT_NE(message.find("not valid TOML"), std::string::npos) << message;
}

}  // namespace
}  // namespace mmn
