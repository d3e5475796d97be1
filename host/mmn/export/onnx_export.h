#pragma once
// A trained model as an ONNX graph for serving (ONNX Runtime, TensorRT, Triton).
//
// Inputs (N rows): "categorical" int64 [N, F] (the data set's ids, one column per
// categorical field, in schema order), "dense" float [N, D] (the dense features),
// "type" and "scenario" int64 [N]. Outputs: "p_ctr" and "p_cvr" float [N].
//
// The CVR tower's weights are composed at export for every (type, scenario) domain,
// the zero-shot ones included, and each row gathers its domain's W_d and b_d: one
// matrix-vector product per layer and row, as mmn's routing computes, with no
// per-request composition work. The cost is size: every domain's layers are stored
// (n_types x n_scenarios times one tower), which the export reports.
#include <cstdint>
#include <string>

namespace mmn {

class MmnModel;

struct OnnxExportInfo {
  std::uint64_t bytes = 0;            // of the .onnx file
  std::uint64_t parameters = 0;       // floats stored (composed weights included)
  std::uint64_t model_parameters = 0;  // the model's own: dense tensors and embedding tables
  std::uint32_t domains = 1;          // composed CVR weight sets
};

// Builds the graph, checks it with the ONNX checker and writes it atomically to `path`.
// Throws mmn::Error naming `path` when the model is too large for one ONNX file (2 GiB)
// or the file cannot be written.
OnnxExportInfo export_onnx(const MmnModel& model, const std::string& path);

}  // namespace mmn
