#include "mmn/train/config_key.h"

namespace mmn::config {
namespace {

CvrMode parse_cvr_mode(const std::string& t) {
  if (t == "ctcvr") return CvrMode::ctcvr;
  if (t == "clicked") return CvrMode::clicked;
  fail("unknown cvr_mode '{}' (choose ctcvr or clicked)", t);
}
const char* cvr_mode_name(CvrMode m) { return m == CvrMode::ctcvr ? "ctcvr" : "clicked"; }

DomainWeightNorm parse_weight_norm(const std::string& t) {
  if (t == "mean") return DomainWeightNorm::mean;
  if (t == "paper") return DomainWeightNorm::paper;
  fail("unknown dynamic_weight_norm '{}' (choose mean or paper)", t);
}
const char* weight_norm_name(DomainWeightNorm n) { return n == DomainWeightNorm::mean ? "mean" : "paper"; }

DomainCountSource parse_count_source(const std::string& t) {
  if (t == "batch") return DomainCountSource::batch;
  if (t == "data") return DomainCountSource::data;
  fail("unknown dynamic_weight_counts '{}' (choose batch or data)", t);
}
const char* count_source_name(DomainCountSource c) { return c == DomainCountSource::batch ? "batch" : "data"; }

std::string parse_device(const std::string& t) {
  if (t == "cpu" || t == "cuda" || t == "auto") return t;
  fail("unknown device '{}' (choose cpu, cuda or auto)", t);
}
std::string device_name(const std::string& d) { return d; }

Precision parse_precision_name(const std::string& t) {
  if (const auto p = parse_precision(t)) return *p;
  fail("unknown precision '{}' (choose fp32, tf32 or bf16)", t);
}

std::string parse_divergence_policy(const std::string& t) {
  if (t == "stop" || t == "skip_batch") return t;
  fail("unknown divergence policy '{}' (choose stop or skip_batch)", t);
}

constexpr std::int64_t kMaxU32 = std::numeric_limits<std::uint32_t>::max();
constexpr std::int64_t kMaxI64 = std::numeric_limits<std::int64_t>::max();

std::vector<KeySpec> data_keys() {
  return {
    string_key("data", "train", [](auto& c) -> auto& { return c.data.train; }, true),
    string_key("data", "test", [](auto& c) -> auto& { return c.data.test; }, true),
    string_key("data", "heldout", [](auto& c) -> auto& { return c.data.heldout; }, true),
  };
}

std::vector<KeySpec> model_keys() {
  return {
    enum_key("model", "kind", [](auto& c) -> auto& { return c.model.kind; }, parse_model_kind,
             [](ModelKind k) { return std::string(to_string(k)); }),
    enum_key("model", "composition", [](auto& c) -> auto& { return c.model.composition; }, parse_composition,
             [](Composition k) { return std::string(to_string(k)); }),
    bool_key("model", "type_part", [](auto& c) -> auto& { return c.model.type_part; }),
    bool_key("model", "scenario_part", [](auto& c) -> auto& { return c.model.scenario_part; }),
    bool_key("model", "domain_features", [](auto& c) -> auto& { return c.model.domain_features; }),
    int_key("model", "embedding_dim", [](auto& c) -> auto& { return c.model.embedding_dim; }, 1, 4096),
    list_key("model", "ctr_hidden", [](auto& c) -> auto& { return c.model.ctr_hidden; }, 65536),
    list_key("model", "cvr_hidden", [](auto& c) -> auto& { return c.model.cvr_hidden; }, 65536),
    enum_key("model", "routing", [](auto& c) -> auto& { return c.model.routing; }, parse_routing,
             [](RoutingMode k) { return std::string(to_string(k)); }),
    float_key("model", "embedding_init_std", [](auto& c) -> auto& { return c.model.embedding_init_std; },
              kNonNegative),
    int_key("model", "min_id_count", [](auto& c) -> auto& { return c.model.min_id_count; }, 0, kMaxU32),
  };
}

std::vector<KeySpec> loss_keys() {
  return {
    enum_key("loss", "cvr_mode", [](auto& c) -> auto& { return c.loss.cvr_mode; }, parse_cvr_mode,
             [](CvrMode m) { return std::string(cvr_mode_name(m)); }),
    float_key("loss", "cvr_weight", [](auto& c) -> auto& { return c.loss.cvr_weight; }, kNonNegative),
    float_key("loss", "ctr_weight", [](auto& c) -> auto& { return c.loss.ctr_weight; }, kNonNegative),
    bool_key("loss", "dynamic_weight", [](auto& c) -> auto& { return c.loss.dynamic_weight; }),
    enum_key("loss", "dynamic_weight_norm", [](auto& c) -> auto& { return c.loss.dynamic_weight_norm; },
             parse_weight_norm, [](DomainWeightNorm n) { return std::string(weight_norm_name(n)); }),
    float_key("loss", "dynamic_weight_power", [](auto& c) -> auto& { return c.loss.dynamic_weight_power; },
              Interval{0.0, false, 1.0, false}),
    enum_key("loss", "dynamic_weight_counts", [](auto& c) -> auto& { return c.loss.dynamic_weight_counts; },
             parse_count_source, [](DomainCountSource n) { return std::string(count_source_name(n)); }),
    KeySpec{"loss", "dynamic_weight_cap", Kind::floating,
            [](Pending& p, const Value& v, const std::string& key, const Where& where) {
              const float cap = checked_float(v, kNonNegative, key, where);
              if (cap > 0 && cap < 1) fail("{} {}: must be 0 (no cap) or at least 1, got {}", key, where.text, cap);
              p.config.loss.dynamic_weight_cap = cap;
            },
            [](const TrainConfig& c) { return toml_float(c.loss.dynamic_weight_cap); }},
  };
}

std::vector<KeySpec> optimizer_keys() {
  return {
    enum_key("optimizer", "name", [](auto& c) -> auto& { return c.optimizer.kind; }, parse_optimizer_kind,
             [](OptimizerKind k) { return std::string(to_string(k)); }),
    KeySpec{"optimizer", "lr", Kind::floating,
            [](Pending& p, const Value& v, const std::string& key, const Where& where) {
              p.lr = checked_float(v, kPositive, key, where);
            },
            [](const TrainConfig& c) { return toml_float(chosen_lr(c)); }},
    float_key("optimizer", "beta1", [](auto& c) -> auto& { return c.optimizer.adam.beta1; }, kUnit),
    float_key("optimizer", "beta2", [](auto& c) -> auto& { return c.optimizer.adam.beta2; }, kUnit),
    KeySpec{"optimizer", "eps", Kind::floating,
            [](Pending& p, const Value& v, const std::string& key, const Where& where) {
              p.eps = checked_float(v, kPositive, key, where);
            },
            [](const TrainConfig& c) { return toml_float(chosen_eps(c)); }},
    float_key("optimizer", "initial_accumulator",
              [](auto& c) -> auto& { return c.optimizer.adagrad.initial_accumulator; }, kNonNegative),
    float_key("optimizer", "specific_lr_scale", [](auto& c) -> auto& { return c.optimizer.specific_lr_scale; },
              kPositive),
    float_key("optimizer", "embedding_lr_scale", [](auto& c) -> auto& { return c.optimizer.embedding_lr_scale; },
              kPositive),
    enum_key("optimizer", "embedding_optimizer", [](auto& c) -> auto& { return c.optimizer.embedding_optimizer; },
             parse_embedding_optimizer, [](EmbeddingOptimizer k) { return std::string(to_string(k)); }),
    float_key("optimizer", "embedding_lr", [](auto& c) -> auto& { return c.optimizer.embedding_lr; }, kNonNegative),
    float_key("optimizer", "embedding_l2", [](auto& c) -> auto& { return c.optimizer.embedding_l2; }, kNonNegative),
    float_key("optimizer", "dense_l2", [](auto& c) -> auto& { return c.optimizer.dense_l2; }, kNonNegative),
    int_key("optimizer", "warmup_steps", [](auto& c) -> auto& { return c.optimizer.warmup_steps; }, 0, kMaxI64),
    enum_key("optimizer", "decay", [](auto& c) -> auto& { return c.optimizer.decay; }, parse_lr_decay,
             [](LrDecay d) { return std::string(to_string(d)); }),
    float_key("optimizer", "final_lr_fraction", [](auto& c) -> auto& { return c.optimizer.final_lr_fraction; },
              Interval{0.0, false, 1.0, false}),
  };
}

std::vector<KeySpec> train_keys() {
  return {
    int_key("train", "batch_size", [](auto& c) -> auto& { return c.train.batch_size; }, 1, 1 << 24),
    int_key("train", "epochs", [](auto& c) -> auto& { return c.train.epochs; }, 1, 1000000),
    int_key("train", "max_steps", [](auto& c) -> auto& { return c.train.max_steps; }, 0, kMaxI64),
    int_key("train", "seed", [](auto& c) -> auto& { return c.train.seed; }, 0, kMaxI64),
    int_key("train", "threads", [](auto& c) -> auto& { return c.train.threads; }, 0, 4096),
    enum_key("train", "device", [](auto& c) -> auto& { return c.train.device; }, parse_device, device_name),
    enum_key("train", "precision", [](auto& c) -> auto& { return c.train.precision; }, parse_precision_name,
             [](Precision p) { return std::string(precision_name(p)); }),
    int_key("train", "log_every", [](auto& c) -> auto& { return c.train.log_every; }, 1, kMaxI64),
    int_key("train", "eval_every", [](auto& c) -> auto& { return c.train.eval_every; }, 0, kMaxI64),
    int_key("train", "checkpoint_every", [](auto& c) -> auto& { return c.train.checkpoint_every; }, 1,
            kMaxI64),
    int_key("train", "keep_checkpoints", [](auto& c) -> auto& { return c.train.keep_checkpoints; }, 1,
            kMaxU32),
    int_key("train", "eval_batch_size", [](auto& c) -> auto& { return c.train.eval_batch_size; }, 1,
            1 << 24),
    int_key("train", "shuffle_window", [](auto& c) -> auto& { return c.train.shuffle_window; }, 1,
            1 << 20),
    enum_key("train", "on_divergence", [](auto& c) -> auto& { return c.train.on_divergence; },
             parse_divergence_policy, [](const std::string& policy) { return policy; }),
    int_key("train", "max_skipped_batches", [](auto& c) -> auto& { return c.train.max_skipped_batches; }, 1,
            1000000),
    float_key("train", "validation_fraction", [](auto& c) -> auto& { return c.train.validation_fraction; },
              Interval{0.0, false, 0.5, false}),
    enum_key("train", "validation_metric", [](auto& c) -> auto& { return c.train.validation_metric; },
             parse_validation_metric, [](ValidationMetric m) { return std::string(to_string(m)); }),
    int_key("train", "validate_every", [](auto& c) -> auto& { return c.train.validate_every; }, 0, kMaxI64),
    int_key("train", "early_stopping_patience", [](auto& c) -> auto& { return c.train.early_stopping_patience; },
            0, 1000000),
  };
}

std::vector<KeySpec> run_keys() {
  return {
    string_key("run", "dir", [](auto& c) -> auto& { return c.run.dir; }, false),
    bool_key("run", "plots", [](auto& c) -> auto& { return c.run.plots; }),
  };
}

}  // namespace

const std::vector<KeySpec>& keys() {
  static const std::vector<KeySpec> all = [] {
    std::vector<KeySpec> k;
    for (const auto section : {data_keys, model_keys, loss_keys, optimizer_keys, train_keys, run_keys}) {
      std::vector<KeySpec> part = section();
      k.insert(k.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
    }
    return k;
  }();
  return all;
}

}  // namespace mmn::config
