#include "mmn/model/model_config.h"

#include "mmn/util/error.h"

namespace mmn {

std::array<bool, kParamGroups> ModelConfig::cvr_groups() const {
  switch (kind) {
    case ModelKind::mmn: return {true, type_part, scenario_part, false};
    case ModelKind::shared: return {true, false, false, false};
    case ModelKind::separate: return {false, false, false, true};
    case ModelKind::star: return {true, false, false, true};
  }
  return {true, false, false, false};
}

Composition ModelConfig::cvr_composition() const {
  return kind == ModelKind::mmn ? composition : Composition::product;
}

std::string ModelConfig::label() const {
  if (kind != ModelKind::mmn) return to_string(kind);
  std::string s = "mmn";
  if (composition == Composition::sum) s += "-sum";
  if (!type_part) s += "-no-type";
  if (!scenario_part) s += "-no-scenario";
  return s;
}

ModelKind parse_model_kind(const std::string& t) {
  if (t == "mmn") return ModelKind::mmn;
  if (t == "shared") return ModelKind::shared;
  if (t == "separate") return ModelKind::separate;
  if (t == "star") return ModelKind::star;
  fail("unknown model kind '{}' (choose mmn, shared, separate or star)", t);
}

Composition parse_composition(const std::string& t) {
  if (t == "product") return Composition::product;
  if (t == "sum") return Composition::sum;
  fail("unknown composition '{}' (choose product or sum)", t);
}

RoutingMode parse_routing(const std::string& t) {
  if (t == "grouped") return RoutingMode::grouped;
  if (t == "masked") return RoutingMode::masked;
  fail("unknown routing '{}' (choose grouped or masked)", t);
}

const char* to_string(ModelKind k) {
  switch (k) {
    case ModelKind::mmn: return "mmn";
    case ModelKind::shared: return "shared";
    case ModelKind::separate: return "separate";
    case ModelKind::star: return "star";
  }
  return "?";
}

const char* to_string(Composition c) { return c == Composition::product ? "product" : "sum"; }
const char* to_string(RoutingMode r) { return r == RoutingMode::grouped ? "grouped" : "masked"; }

}  // namespace mmn
