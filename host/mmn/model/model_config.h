#pragma once
// What network to build: MMN with its ablations, or one of the baselines.
//   mmn       W_d = W ⊙ Wt[t] ⊙ Ws[s] (product) or W + Wt[t] + Ws[s] (sum); type_part /
//             scenario_part switch the type and scenario groups off (ablations).
//   shared    one CVR tower; type and scenario enter only as embedded input features.
//   domain_features embeds type and scenario as two more input fields for any kind (the
//             shared baseline always has them): the CTR tower then sees the scenario too.
//   separate  one independent tower per domain (the product space).
//   star      W_d = W ⊙ Wd[d]: shared weights times per-domain weights.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "mmn/ops/composed_layer.h"

namespace mmn {

enum class ModelKind { mmn, shared, separate, star };
enum class RoutingMode { grouped, masked };

struct ModelConfig {
  ModelKind kind = ModelKind::mmn;
  Composition composition = Composition::product;
  bool type_part = true;
  bool scenario_part = true;
  std::uint32_t embedding_dim = 16;
  std::vector<std::uint32_t> ctr_hidden = {256, 128};
  std::vector<std::uint32_t> cvr_hidden = {256, 128};
  RoutingMode routing = RoutingMode::grouped;
  bool domain_features = true;
  float embedding_init_std = 0.05f;
  // Categorical values seen fewer than this many times in the training data share one row of
  // their field's table (0 and 1: every value has its own).
  std::uint32_t min_id_count = 0;

  // Which parameter groups the CVR tower's layers use.
  std::array<bool, kParamGroups> cvr_groups() const;
  // Composition the CVR tower actually uses (star is always a product).
  Composition cvr_composition() const;
  // "mmn", "mmn-sum", "mmn-no-type", "shared", ...: for reports.
  std::string label() const;
};

ModelKind parse_model_kind(const std::string& text);         // throws mmn::Error listing the choices
Composition parse_composition(const std::string& text);
RoutingMode parse_routing(const std::string& text);
const char* to_string(ModelKind kind);
const char* to_string(Composition composition);
const char* to_string(RoutingMode routing);

}  // namespace mmn
