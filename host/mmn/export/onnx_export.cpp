#include "mmn/export/onnx_export.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <limits>
#include <vector>

#include "mmn/model/mmn_model.h"
#include "mmn/ops/composed_layer.h"
#include "mmn/util/error.h"
#include "mmn/util/file_writer.h"

namespace mmn {
namespace {

constexpr int kOpset = 13;
constexpr std::uint64_t kMaxProtoBytes = (std::uint64_t{1} << 31) - (std::uint64_t{1} << 20);

// The graph under construction, with fresh value names.
class GraphBuilder {
 public:
  explicit GraphBuilder(onnx::GraphProto& graph) : graph_(graph) {}

  std::string fresh(const std::string& stem) { return stem + "_" + std::to_string(next_++); }

  void input(const std::string& name, int elem_type, std::int64_t columns) {
    value_info(graph_.add_input(), name, elem_type, columns);
  }
  void output(const std::string& name) { value_info(graph_.add_output(), name, onnx::TensorProto::FLOAT, 0); }

  std::string floats(const std::string& name, const std::vector<std::int64_t>& dims, const float* data,
                     std::size_t count) {
    onnx::TensorProto* t = add_initializer(name, dims, onnx::TensorProto::FLOAT);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(data), count * sizeof(float)));
    stored_ += count;
    return name;
  }
  std::string int64s(const std::string& name, const std::vector<std::int64_t>& dims,
                     const std::vector<std::int64_t>& values) {
    onnx::TensorProto* t = add_initializer(name, dims, onnx::TensorProto::INT64);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(std::int64_t)));
    return name;
  }

  std::string node(const std::string& op, const std::vector<std::string>& inputs, const std::string& stem,
                   std::int64_t axis = std::numeric_limits<std::int64_t>::min()) {
    onnx::NodeProto* n = graph_.add_node();
    n->set_op_type(op);
    n->set_name(fresh(op));
    for (const auto& in : inputs) n->add_input(in);
    const std::string out = fresh(stem);
    n->add_output(out);
    if (axis != std::numeric_limits<std::int64_t>::min()) {
      onnx::AttributeProto* a = n->add_attribute();
      a->set_name("axis");
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(axis);
    }
    return out;
  }
  // The last node's output renamed (a graph output).
  void rename_last_output(const std::string& name) { graph_.mutable_node(graph_.node_size() - 1)->set_output(0, name); }

  std::uint64_t stored() const { return stored_; }

 private:
  static void value_info(onnx::ValueInfoProto* v, const std::string& name, int elem_type, std::int64_t columns) {
    v->set_name(name);
    onnx::TypeProto_Tensor* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(elem_type);
    onnx::TensorShapeProto* shape = t->mutable_shape();
    shape->add_dim()->set_dim_param("N");
    if (columns > 0) shape->add_dim()->set_dim_value(columns);
  }
  onnx::TensorProto* add_initializer(const std::string& name, const std::vector<std::int64_t>& dims, int type) {
    onnx::TensorProto* t = graph_.add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (const std::int64_t d : dims) t->add_dims(d);
    return t;
  }

  onnx::GraphProto& graph_;
  int next_ = 0;
  std::uint64_t stored_ = 0;
};

// h0 [N, in]: each field's embedding (through its rare-id map when it has one), then the
// type and scenario embeddings when the model has them, then the dense features.
std::string build_h0(GraphBuilder& g, const MmnModel& model) {
  const Schema& schema = model.schema();
  std::vector<std::string> parts;
  const auto embed = [&](const EmbeddingTable& table, const std::string& ids) {
    std::string rows = ids;
    if (!table.id_map.empty()) {
      const std::vector<std::int64_t> map(table.id_map.begin(), table.id_map.end());
      rows = g.node("Gather", {g.int64s("id_map." + table.name, {static_cast<std::int64_t>(map.size())}, map), ids},
                    "row_" + table.name, 0);
    }
    const std::string values = g.floats("embedding." + table.name,
                                        {static_cast<std::int64_t>(table.rows), static_cast<std::int64_t>(table.dim)},
                                        table.values.data(), table.values.size());
    parts.push_back(g.node("Gather", {values, rows}, "embedded_" + table.name, 0));
  };
  const std::vector<EmbeddingTable>& tables = model.embeddings();
  for (std::size_t f = 0; f < schema.categorical.size(); ++f) {
    const std::string column = g.int64s(g.fresh("field"), {}, {static_cast<std::int64_t>(f)});
    embed(tables[f], g.node("Gather", {"categorical", column}, "ids_" + tables[f].name, 1));
  }
  if (model.embeds_type_and_scenario()) {
    embed(tables[schema.categorical.size()], "type");
    embed(tables[schema.categorical.size() + 1], "scenario");
  }
  if (!schema.dense.empty()) parts.push_back("dense");
  return parts.size() == 1 ? parts.front() : g.node("Concat", parts, "h0", 1);
}

// A tower on h [N, in]: per layer either one W, b (one domain) or every domain's composed
// W_d, b_d gathered by row; ReLU between layers; the logit's sigmoid [N].
std::string build_tower(GraphBuilder& g, const MmnModel& model, const Tower& tower, const std::string& name,
                        const std::string& h0, const std::string& domain) {
  const DomainGrid& grid = tower.shape().grid;
  const std::uint32_t domains = grid.n_domains();
  const std::vector<ComposedLayer> layers = tower.layers(model.dense());
  const std::string axis1 = g.int64s(g.fresh("axis1"), {1}, {1});
  std::string h = h0;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const ComposedLayer& layer = layers[l];
    std::vector<float> w(std::size_t{domains} * layer.in * layer.out), b(std::size_t{domains} * layer.out);
    for (std::uint32_t d = 0; d < domains; ++d) {
      compose_weight(layer, grid, d, 0, layer.out, w.data() + std::size_t{d} * layer.in * layer.out, layer.out);
      compose_bias(layer, grid, d, b.data() + std::size_t{d} * layer.out);
    }
    const std::string stem = name + "." + std::to_string(l);
    const auto in = static_cast<std::int64_t>(layer.in), out = static_cast<std::int64_t>(layer.out);
    std::string z;
    if (domains == 1) {
      const std::string wn = g.floats(stem + ".W", {in, out}, w.data(), w.size());
      const std::string bn = g.floats(stem + ".b", {out}, b.data(), b.size());
      z = g.node("Add", {g.node("MatMul", {h, wn}, stem + "_xw"), bn}, stem + "_z");
    } else {
      const std::string wn = g.floats(stem + ".W_domain", {domains, in, out}, w.data(), w.size());
      const std::string bn = g.floats(stem + ".b_domain", {domains, out}, b.data(), b.size());
      const std::string w_row = g.node("Gather", {wn, domain}, stem + "_w_row", 0);  // [N, in, out]
      const std::string h3 = g.node("Unsqueeze", {h, axis1}, stem + "_x3");           // [N, 1, in]
      const std::string xw = g.node("Squeeze", {g.node("MatMul", {h3, w_row}, stem + "_xw3"), axis1}, stem + "_xw");
      z = g.node("Add", {xw, g.node("Gather", {bn, domain}, stem + "_b_row", 0)}, stem + "_z");
    }
    h = layer.relu ? g.node("Relu", {z}, stem + "_h") : z;
  }
  return g.node("Sigmoid", {g.node("Squeeze", {h, axis1}, name + "_logit")}, "p_" + name);
}

}  // namespace

OnnxExportInfo export_onnx(const MmnModel& model, const std::string& path) {
  onnx::ModelProto proto;
  proto.set_ir_version(8);
  proto.set_producer_name("mmn");
  proto.set_model_version(1);
  onnx::OperatorSetIdProto* opset = proto.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOpset);
  onnx::GraphProto& graph = *proto.mutable_graph();
  graph.set_name("mmn_" + model.config().label());
  GraphBuilder g(graph);

  const Schema& schema = model.schema();
  if (!schema.categorical.empty())
    g.input("categorical", onnx::TensorProto::INT64, static_cast<std::int64_t>(schema.categorical.size()));
  if (!schema.dense.empty()) g.input("dense", onnx::TensorProto::FLOAT, static_cast<std::int64_t>(schema.dense.size()));
  g.input("type", onnx::TensorProto::INT64, 0);
  g.input("scenario", onnx::TensorProto::INT64, 0);
  const std::string h0 = build_h0(g, model);
  const std::string scenarios = g.int64s("n_scenarios", {}, {model.grid().n_scenarios});
  const std::string domain = g.node("Add", {g.node("Mul", {"type", scenarios}, "type_offset"), "scenario"}, "domain");
  build_tower(g, model, model.ctr_tower(), "ctr", h0, domain);
  g.rename_last_output("p_ctr");
  build_tower(g, model, model.cvr_tower(), "cvr", h0, domain);
  g.rename_last_output("p_cvr");
  g.output("p_ctr");
  g.output("p_cvr");

  OnnxExportInfo info;
  info.parameters = g.stored();
  info.model_parameters = model.dense().all_values().size();
  for (const EmbeddingTable& t : model.embeddings()) info.model_parameters += t.values.size();
  info.domains = model.cvr_tower().shape().grid.n_domains();
  if (proto.ByteSizeLong() > kMaxProtoBytes)
    fail("{}: the ONNX model would take {} MB, more than one ONNX file holds (2 GiB): {} domains x the CVR tower",
         path, proto.ByteSizeLong() / 1000000, info.domains);
  try {
    onnx::checker::check_model(proto);
  } catch (const std::exception& e) {
    fail("{}: the exported graph fails the ONNX checker: {}", path, e.what());
  }
  std::string bytes;
  if (!proto.SerializeToString(&bytes)) fail("{}: cannot serialise the ONNX model", path);
  write_file_atomically(path, bytes);
  info.bytes = bytes.size();
  return info;
}

}  // namespace mmn
