#pragma once
// A small MMN model and its optimizer, with device models made from them, for the device
// model's tests.
#include <memory>
#include <vector>

#include "mmn/cuda_backend/cuda_backend.h"
#include "mmn/cuda_backend/device_model.h"
#include "mmn/model/mmn_model.h"
#include "mmn/model/optimizer.h"

namespace mmn::testing {

struct DeviceModelFixture {
  DeviceModelFixture() : model(config(), schema(), 3), optimizer({}, model) {}
  static Schema schema() {
    Schema s;
    s.n_types = 3;
    s.n_scenarios = 4;
    s.categorical = {{"user", 40}, {"item", 9}};
    s.dense = {"price"};
    return s;
  }
  static ModelConfig config() {
    ModelConfig c;
    c.embedding_dim = 4;
    c.ctr_hidden = {12};
    c.cvr_hidden = {10, 6};
    return c;
  }
  std::unique_ptr<device::DeviceModel> device_model(std::uint32_t max_rows) {
    auto d = std::make_unique<device::DeviceModel>(device_model_spec(model, &optimizer, max_rows, 0));
    upload_host_state(*d, model, &optimizer);
    return d;
  }
  HostBatchColumns columns() const { return HostBatchColumns(model.grid(), model.embeds_type_and_scenario()); }
  LossScales loss_for(const ColumnView& rows) {
    std::vector<std::uint32_t> domain;
    model.domains_of(rows, domain);
    const LossCounts c = count_loss_rows(rows.click, domain.data(), rows.rows, 12, CvrMode::ctcvr);
    LossOptions dynamic;
    dynamic.dynamic_weight = true;
    const LossScales scales = loss_scales(c, dynamic);
    LossScales l;  // the CTR and per-domain CVR scales only: lambda 1, the ctcvr loss
    l.ctr = scales.ctr;
    l.cvr_domain = scales.cvr_domain;
    return l;
  }
  MmnModel model;
  Optimizer optimizer;
};

}  // namespace mmn::testing
