#include "mmn/cuda_backend/device_model.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "mmn/cuda_backend/device_runtime.h"
#include "mmn/device/device_buffer.h"
#include "mmn/kernels/composed_gemm.cuh"
#include "mmn/kernels/embedding.cuh"
#include "mmn/kernels/optimizers.cuh"
#include "mmn/kernels/routing.cuh"
#include "mmn/kernels/step_support.cuh"
#include "mmn/kernels/weighted_bce.cuh"

namespace mmn::device {
namespace {

using kernels::ComposedRouting;
using kernels::RouteTile;

std::uint32_t widest(const TowerLayout& t) {
  std::uint32_t w = 1;
  for (const LayerLayout& l : t.layers) w = std::max({w, l.in, l.out});
  return w;
}

std::size_t tower_activation_floats(const TowerLayout& t) {
  std::size_t per_row = 2 * std::size_t{widest(t)};  // the backward's two ping-pong buffers
  for (const LayerLayout& l : t.layers) per_row += l.out;
  return per_row;
}

std::size_t embedded_floats(const ModelSpec& spec) {
  std::size_t n = 0;
  for (const auto rows : spec.table_rows) n += rows * spec.embedding_dim;
  return n;
}


// One batch as staged, in one block: the device pointer arrays the gather takes (one per
// embedded field, one per dense feature), then the columns: u32 ids per categorical field,
// type, scenario, f32 dense features, and the u8 labels last, so every column stays aligned.
std::size_t staged_header_bytes(const ModelSpec& spec) { return 8 * (spec.table_rows.size() + spec.dense_features); }
std::size_t staged_bytes(const ModelSpec& spec, std::size_t rows) {
  return staged_header_bytes(spec) + rows * (4 * (spec.categorical_fields + 2 + spec.dense_features) + 2);
}

// A routing's device memory, reused by every batch of up to max_rows rows.
class RoutingWorkspace {
 public:
  RoutingWorkspace(std::uint32_t max_rows, std::uint32_t n_domains)
      : n_domains_(n_domains),
        order_(max_rows),
        offsets_(n_domains + 1),
        block_counts_(std::size_t{n_domains} * kernels::route_blocks(max_rows)),
        tiles_(n_domains),
        tile_starts_(n_domains),
        tile_count_(1),
        table_(kernels::route_max_tiles(max_rows, n_domains, kernels::kGemmTileM)) {}

  static std::size_t bytes(std::uint32_t max_rows, std::uint32_t n_domains) {
    return 4 * (std::size_t{max_rows} + n_domains + 1 + std::size_t{n_domains} * kernels::route_blocks(max_rows) +
                2 * std::size_t{n_domains} + 1) +
           sizeof(RouteTile) * kernels::route_max_tiles(max_rows, n_domains, kernels::kGemmTileM);
  }

  ComposedRouting route(const std::uint32_t* domain, std::uint32_t rows, cudaStream_t stream) {
    kernels::RouteArgs a;
    a.domain = domain, a.rows = rows, a.n_domains = n_domains_, a.tile_rows = kernels::kGemmTileM;
    a.order = order_.data(), a.offsets = offsets_.data(), a.block_counts = block_counts_.data();
    a.tiles = tiles_.data(), a.tile_starts = tile_starts_.data(), a.table = table_.data();
    a.tile_count = tile_count_.data();
    kernels::route_by_domain(a, stream);
    ComposedRouting r;
    r.table = table_.data(), r.tile_count = tile_count_.data();
    r.max_tiles = kernels::route_max_tiles(rows, n_domains_, kernels::kGemmTileM);
    r.offsets = offsets_.data(), r.order = order_.data();
    r.rows = rows, r.n_domains = n_domains_;
    return r;
  }

 private:
  std::uint32_t n_domains_;
  DeviceBuffer<std::uint32_t> order_, offsets_, block_counts_, tiles_, tile_starts_, tile_count_;
  DeviceBuffer<RouteTile> table_;
};

struct TowerState {
  TowerLayout spec;
  std::vector<ComposedLayer> layers;
  std::vector<ComposedLayerGrad> grads;
  std::vector<DeviceBuffer<float>> acts;  // per layer: rows x out
  DeviceBuffer<float> ping, pong;         // rows x widest

  TowerState(const TowerLayout& s, float* params, float* dense_grads, std::uint32_t max_rows)
      : spec(s), ping(std::size_t{max_rows} * widest(s)), pong(std::size_t{max_rows} * widest(s)) {
    for (std::size_t l = 0; l < s.layers.size(); ++l) {
      layers.push_back(composed_layer(s, l, params));
      grads.push_back(composed_layer_grad(s, l, dense_grads));
      acts.emplace_back(std::size_t{max_rows} * s.layers[l].out);
    }
  }

  // x: routed rows x in; returns the routed logits.
  const float* forward(const ComposedRouting& r, const float* x, cudaStream_t stream) {
    for (std::size_t l = 0; l < layers.size(); ++l)
      kernels::composed_forward(layers[l], spec.grid, r, false, l == 0 ? x : acts[l - 1].data(), acts[l].data(),
                                stream);
    return acts.back().data();
  }

  // d_logit (routed, overwritten); dx: routed rows x in of the first layer. layer_done(l) runs
  // once layer l's weight and bias gradient kernels are queued.
  template <typename LayerDone>
  void backward(const ComposedRouting& r, const float* x, float* d_logit, float* dx, cudaStream_t stream,
                LayerDone&& layer_done) {
    float* dy = d_logit;
    for (std::size_t l = layers.size(); l-- > 0;) {
      float* dx_out = l == 0 ? dx : (dy == ping.data() ? pong.data() : ping.data());
      kernels::composed_backward(layers[l], spec.grid, r, l == 0 ? x : acts[l - 1].data(), acts[l].data(), dy, dx_out,
                                 grads[l], stream);
      layer_done(spec.layers[l]);
      dy = dx_out;
    }
  }
};

dim3 row_copy_block(std::uint32_t width) { return dim3(std::min(256u, (width + 31) / 32 * 32)); }
dim3 row_copy_grid(std::uint32_t rows) { return dim3(std::max(1u, std::min(rows, 4096u))); }

}  // namespace

MemoryPlan plan_memory(const ModelSpec& spec) {
  MemoryPlan p;
  const std::size_t rows = spec.max_rows, tables = embedded_floats(spec);
  const std::size_t slots = !spec.train ? 0 : spec.adam ? 2 : 1;
  p.parameters = 4 * (spec.dense_size + tables);
  p.optimizer_state = 4 * slots * (spec.dense_size + tables);
  p.gradients = 4 * spec.dense_size + spec.table_rows.size() * rows * 4 * (spec.embedding_dim + 1);
  p.activations =
      4 * rows * (4 * std::size_t{spec.input_width} + tower_activation_floats(spec.ctr) + tower_activation_floats(spec.cvr) + 8);
  p.workspace = RoutingWorkspace::bytes(spec.max_rows, 1) + RoutingWorkspace::bytes(spec.max_rows, spec.grid.n_domains()) +
                4 * 6 * rows + 2 * staged_bytes(spec, rows) + 8 * spec.grid.n_domains();
  return p;
}

int cuda_device_count() { return device_count(); }

struct DeviceModel::State {
  ModelSpec spec;
  Stream compute, copy, communication;
  Event gradients_ready, buckets_reduced;
  DeviceModel::BucketReducer reducer;
  DeviceBuffer<float> params, grads;
  std::vector<DeviceBuffer<float>> dense_state;                // per slot
  std::vector<DeviceBuffer<float>> tables;                     // per table
  std::vector<std::vector<DeviceBuffer<float>>> table_state;   // [table][slot]
  DeviceBuffer<const float*> table_pointers;

  // Staging: per slot a pinned host block and its device copy (staged_bytes).
  struct Slot {
    PinnedBuffer<std::uint8_t> host;
    DeviceBuffer<std::uint8_t> device;
    Event ready, consumed;
    bool used = false;
  };
  Slot slots[2];
  unsigned next_slot = 0;

  DeviceBuffer<std::uint32_t> domain, zero_domain;
  DeviceBuffer<float> h0, h0_routed, dh0, dh0_routed, ctr_logit, cvr_logit, d_ctr, d_cvr, d_cvr_routed;
  DeviceBuffer<float> cvr_scale;
  DeviceBuffer<float> block_sums, loss;
  DeviceBuffer<unsigned int> bad;
  RoutingWorkspace ctr_routing, cvr_routing;
  TowerState ctr, cvr;
  kernels::EmbeddingBackwardWorkspace embedding_workspace;
  std::vector<DeviceBuffer<std::uint32_t>> unique_ids, sparse_count;
  std::vector<DeviceBuffer<float>> sparse_grads;
  std::vector<std::uint32_t> sparse_bound;  // per table, at least its sparse gradient's row count (sizes grids)

  // A batch in a staging slot: its device columns, and which host batch it came from.
  struct Staged {
    std::vector<const std::uint32_t*> ids;  // one per embedded field
    const std::uint8_t *click = nullptr, *conv = nullptr;
    const std::uint32_t *type = nullptr, *scenario = nullptr;
    const std::uint32_t* const* id_pointers = nullptr;
    const float* const* dense_pointers = nullptr;
    Slot* slot = nullptr;
    std::size_t rows = 0;
    const std::uint8_t* host_click = nullptr;
    bool holds(const HostBatch& b) const { return slot != nullptr && rows == b.rows && host_click == b.click; }
  };
  Staged current;  // the batch the step in progress works on
  // Read-ahead: the batch announced for the next step, and once copied in, its slot.
  std::optional<HostBatch> announced;
  Staged next;

  explicit State(const ModelSpec& s)
      : spec(s),
        params(s.dense_size),
        grads(s.dense_size),
        domain(s.max_rows),
        zero_domain(s.max_rows),
        h0(std::size_t{s.max_rows} * s.input_width),
        h0_routed(std::size_t{s.max_rows} * s.input_width),
        dh0(std::size_t{s.max_rows} * s.input_width),
        dh0_routed(std::size_t{s.max_rows} * s.input_width),
        ctr_logit(s.max_rows),
        cvr_logit(s.max_rows),
        d_ctr(s.max_rows),
        d_cvr(s.max_rows),
        d_cvr_routed(s.max_rows),
        cvr_scale(std::size_t{s.grid.n_domains()}),
        block_sums(2 * std::size_t{kernels::bce_blocks(s.max_rows)}),
        loss(3),
        bad(1),
        ctr_routing(s.max_rows, 1),
        cvr_routing(s.max_rows, s.cvr.routed ? s.grid.n_domains() : 1),
        ctr(s.ctr, params.data(), grads.data(), s.max_rows),
        cvr(s.cvr, params.data(), grads.data(), s.max_rows),
        embedding_workspace(s.max_rows) {
    const std::size_t state_slots = !s.train ? 0 : s.adam ? 2 : 1;
    for (std::size_t k = 0; k < state_slots; ++k) dense_state.emplace_back(s.dense_size);
    std::vector<const float*> pointers;
    for (const auto rows : s.table_rows) {
      tables.emplace_back(rows * s.embedding_dim);
      pointers.push_back(tables.back().data());
      table_state.emplace_back();
      for (std::size_t k = 0; k < state_slots; ++k) table_state.back().emplace_back(rows * s.embedding_dim);
      unique_ids.emplace_back(s.max_rows);
      sparse_grads.emplace_back(std::size_t{s.max_rows} * s.embedding_dim);
      sparse_count.emplace_back(1);
      sparse_bound.push_back(s.max_rows);
    }
    table_pointers = DeviceBuffer<const float*>(pointers);
    for (Slot& slot : slots) {
      slot.host = PinnedBuffer<std::uint8_t>(staged_bytes(s, s.max_rows));
      slot.device = DeviceBuffer<std::uint8_t>(staged_bytes(s, s.max_rows));
    }
    kernels::fill(zero_domain.data(), s.max_rows, 0, compute.get());
  }

  // Copies the batch in through the next staging slot: packed into pinned memory, then one
  // asynchronous copy on the copy stream, which the compute stream waits for. A slot is
  // reused only after the compute stream has finished with its previous batch.
  Staged stage(const HostBatch& b) {
    if (b.rows > spec.max_rows)
      throw DeviceError("DeviceModel: a batch of " + std::to_string(b.rows) + " rows exceeds the " +
                        std::to_string(spec.max_rows) + " it was sized for");
    if (b.categorical.size() != spec.categorical_fields || b.dense.size() != spec.dense_features)
      throw DeviceError("DeviceModel: the batch's columns do not match the model");
    Slot& slot = slots[next_slot];
    next_slot ^= 1u;
    if (slot.used) slot.consumed.synchronize();
    slot.used = true;
    const std::size_t n = b.rows;
    std::uint8_t* host = slot.host.data();
    const std::uint8_t* dev = slot.device.data();
    const std::size_t header = staged_header_bytes(spec);
    auto column = [&](std::size_t k) { return dev + header + 4 * n * k; };  // the k-th 4-byte column

    Staged st;
    st.slot = &slot, st.rows = n, st.host_click = b.click;
    for (std::uint32_t f = 0; f < spec.categorical_fields; ++f)
      st.ids.push_back(reinterpret_cast<const std::uint32_t*>(column(f)));
    st.type = reinterpret_cast<const std::uint32_t*>(column(spec.categorical_fields));
    st.scenario = reinterpret_cast<const std::uint32_t*>(column(spec.categorical_fields + 1));
    if (spec.embeds_domain) {
      st.ids.push_back(st.type);
      st.ids.push_back(st.scenario);
    }
    std::vector<const float*> dense;
    for (std::uint32_t c = 0; c < spec.dense_features; ++c)
      dense.push_back(reinterpret_cast<const float*>(column(spec.categorical_fields + 2 + c)));
    st.click = column(spec.categorical_fields + 2 + spec.dense_features);
    st.conv = st.click + n;
    st.id_pointers = reinterpret_cast<const std::uint32_t* const*>(dev);
    st.dense_pointers = reinterpret_cast<const float* const*>(dev + 8 * st.ids.size());

    std::size_t at = 0;
    auto put = [&](const void* from, std::size_t bytes) {
      if (bytes > 0) std::memcpy(host + at, from, bytes);
      at += bytes;
    };
    put(st.ids.data(), 8 * st.ids.size());
    put(dense.data(), 8 * dense.size());
    for (const auto* c : b.categorical) put(c, 4 * n);
    put(b.type, 4 * n);
    put(b.scenario, 4 * n);
    for (const auto* c : b.dense) put(c, 4 * n);
    put(b.click, n);
    put(b.conv, n);
    copy_to_device(slot.device.data(), host, at, copy);
    slot.ready.record(copy);
    slot.ready.make_wait(compute);
    return st;
  }

  // The step's batch: the one read ahead when it is that batch, else copied in now.
  void take(const HostBatch& b) {
    current = next.holds(b) ? next : stage(b);
    next = Staged{};
  }
  void release_current() { current.slot->consumed.record(compute); }

  // Embedding gather, domains, both towers' forward; returns the routings used.
  void forward(std::uint32_t n, ComposedRouting& ctr_route, ComposedRouting& cvr_route) {
    const cudaStream_t st = compute.get();
    kernels::domains_of_rows(current.type, current.scenario, n, spec.grid, domain.data(), st);
    kernels::EmbeddingGatherArgs g;
    g.tables = table_pointers.data(), g.ids = current.id_pointers, g.dense = current.dense_pointers;
    g.fields = static_cast<std::uint32_t>(spec.table_rows.size()), g.dim = spec.embedding_dim;
    g.dense_count = spec.dense_features, g.rows = n, g.h0 = h0.data();
    kernels::embedding_gather(g, st);

    ctr_route = ctr_routing.route(zero_domain.data(), n, st);
    const float* ctr_out = ctr.forward(ctr_route, h0.data(), st);
    copy_on_device(ctr_logit.data(), ctr_out, 4 * std::size_t{n}, compute);

    cvr_route = spec.cvr.routed ? cvr_routing.route(domain.data(), n, st) : ctr_route;
    MMN_LAUNCH(kernels::gather_rows, row_copy_grid(n), row_copy_block(spec.input_width), 0, st,
               static_cast<const std::uint32_t*>(cvr_route.order), n, static_cast<const float*>(h0.data()),
               spec.input_width, h0_routed.data());
    const float* cvr_out = cvr.forward(cvr_route, h0_routed.data(), st);
    MMN_LAUNCH(kernels::scatter_rows, row_copy_grid(n), row_copy_block(1), 0, st,
               static_cast<const std::uint32_t*>(cvr_route.order), n, cvr_out, 1u, cvr_logit.data(), false);
  }
};

DeviceModel::DeviceModel(const ModelSpec& spec) {
  if (spec.max_rows == 0) throw DeviceError("DeviceModel: max_rows must be at least 1");
  if (spec.embedding_dim == 0 && !spec.table_rows.empty()) throw DeviceError("DeviceModel: embedding_dim is 0");
  for (const auto rows : spec.table_rows)
    if (rows > 0xffffffffull) throw DeviceError("DeviceModel: an embedding table has more than 2^32 rows");
  select_device(spec.device);
  const MemoryPlan plan = plan_memory(spec);
  const MemoryInfo memory = memory_info();
  if (plan.total() > memory.free) {
    auto mib = [](std::size_t b) { return std::to_string((b + (1u << 20) - 1) >> 20) + " MiB"; };
    throw DeviceError("not enough device memory on " + device_name(spec.device) + " (device " +
                      std::to_string(spec.device) + "): the model needs " + mib(plan.total()) + " (parameters " +
                      mib(plan.parameters) + ", optimizer state " + mib(plan.optimizer_state) + ", gradients " +
                      mib(plan.gradients) + ", activations for " + std::to_string(spec.max_rows) + " rows " +
                      mib(plan.activations) + ", workspace " + mib(plan.workspace) + ") and " + mib(memory.free) +
                      " of " + mib(memory.total) + " are free; lower train.batch_size or train.eval_batch_size");
  }
  s_ = std::make_unique<State>(spec);
}

DeviceModel::~DeviceModel() = default;

std::string DeviceModel::device_description() const {
  return device_name(s_->spec.device) + (kEmulated ? "" : " (device " + std::to_string(s_->spec.device) + ")");
}

void DeviceModel::upload_parameters(const float* dense, const std::vector<const float*>& tables) {
  State& s = *s_;
  copy_to_device(s.params.data(), dense, 4 * s.spec.dense_size, s.compute);
  for (std::size_t t = 0; t < s.tables.size(); ++t)
    copy_to_device(s.tables[t].data(), tables.at(t), 4 * s.tables[t].size(), s.compute);
  s.compute.synchronize();
}

void DeviceModel::download_parameters(float* dense, const std::vector<float*>& tables) {
  State& s = *s_;
  copy_to_host(dense, s.params.data(), 4 * s.spec.dense_size, s.compute);
  for (std::size_t t = 0; t < s.tables.size(); ++t)
    copy_to_host(tables.at(t), s.tables[t].data(), 4 * s.tables[t].size(), s.compute);
  s.compute.synchronize();
}

void DeviceModel::upload_optimizer_state(const std::vector<const float*>& dense,
                                         const std::vector<std::vector<const float*>>& tables) {
  State& s = *s_;
  for (std::size_t k = 0; k < s.dense_state.size(); ++k)
    copy_to_device(s.dense_state[k].data(), dense.at(k), 4 * s.spec.dense_size, s.compute);
  for (std::size_t t = 0; t < s.table_state.size(); ++t)
    for (std::size_t k = 0; k < s.table_state[t].size(); ++k)
      copy_to_device(s.table_state[t][k].data(), tables.at(t).at(k), 4 * s.table_state[t][k].size(), s.compute);
  s.compute.synchronize();
}

void DeviceModel::download_optimizer_state(const std::vector<float*>& dense,
                                           const std::vector<std::vector<float*>>& tables) {
  State& s = *s_;
  for (std::size_t k = 0; k < s.dense_state.size(); ++k)
    copy_to_host(dense.at(k), s.dense_state[k].data(), 4 * s.spec.dense_size, s.compute);
  for (std::size_t t = 0; t < s.table_state.size(); ++t)
    for (std::size_t k = 0; k < s.table_state[t].size(); ++k)
      copy_to_host(tables.at(t).at(k), s.table_state[t][k].data(), 4 * s.table_state[t][k].size(), s.compute);
  s.compute.synchronize();
}

void DeviceModel::set_next_batch(const HostBatch& next) {
  s_->announced = next;
}

void DeviceModel::forward(const HostBatch& batch, float* ctr_logit, float* cvr_logit) {
  State& s = *s_;
  const auto n = static_cast<std::uint32_t>(batch.rows);
  s.announced.reset();  // a batch read ahead is dropped: its slot is reused here
  s.next = {};
  if (n == 0) return;
  s.take(batch);
  ComposedRouting ctr_route, cvr_route;
  s.forward(n, ctr_route, cvr_route);
  s.release_current();
  copy_to_host(ctr_logit, s.ctr_logit.data(), 4 * std::size_t{n}, s.compute);
  copy_to_host(cvr_logit, s.cvr_logit.data(), 4 * std::size_t{n}, s.compute);
  s.compute.synchronize();
}

LossValue DeviceModel::compute_gradients(const HostBatch& batch, const LossScales& loss) {
  State& s = *s_;
  const cudaStream_t st = s.compute.get();
  const auto n = static_cast<std::uint32_t>(batch.rows);
  const std::uint32_t n_domains = s.spec.grid.n_domains();
  if (loss.cvr_domain.size() != n_domains)
    throw DeviceError("DeviceModel: the loss scales cover " + std::to_string(loss.cvr_domain.size()) +
                      " domains, the model " + std::to_string(n_domains));
  fill_zero(s.grads.data(), 4 * s.spec.dense_size, s.compute);
  for (std::size_t t = 0; t < s.sparse_count.size(); ++t) fill_zero(s.sparse_count[t].data(), 4, s.compute);
  if (n == 0) return {};
  s.take(batch);
  ComposedRouting ctr_route, cvr_route;
  s.forward(n, ctr_route, cvr_route);

  const std::vector<float> cvr_scale(loss.cvr_domain.begin(), loss.cvr_domain.end());  // lives past the sync below
  copy_to_device(s.cvr_scale.data(), cvr_scale.data(), 4 * cvr_scale.size(), s.compute);
  kernels::WeightedBceArgs b;
  b.ctr_logit = s.ctr_logit.data(), b.cvr_logit = s.cvr_logit.data(), b.click = s.current.click, b.conv = s.current.conv;
  b.domain = s.domain.data(), b.rows = n, b.cvr_scale = s.cvr_scale.data();
  b.params.clicked_mode = loss.cvr_mode == CvrMode::clicked;
  b.params.cvr_weight = static_cast<float>(loss.cvr_weight), b.params.ctr_scale = static_cast<float>(loss.ctr);
  b.d_ctr = s.d_ctr.data(), b.d_cvr = s.d_cvr.data(), b.block_sums = s.block_sums.data(), b.loss = s.loss.data();
  kernels::weighted_bce(b, st);

  // Each finished layer's gradients go to the reducer on the communication stream, after the
  // compute stream's work so far.
  auto layer_done = [&s](const LayerLayout& layer) {
    if (!s.reducer) return;
    s.gradients_ready.record(s.compute);
    s.gradients_ready.make_wait(s.communication);
    s.reducer(s.grads.data() + layer.params_begin, layer.params_end - layer.params_begin,
              static_cast<void*>(s.communication.get()));
  };
  // CTR tower: rows in row order (identity routing), its input gradient written into dh0.
  s.ctr.backward(ctr_route, s.h0.data(), s.d_ctr.data(), s.dh0.data(), st, layer_done);
  // CVR tower: routed; its input gradient scattered back and added into dh0.
  MMN_LAUNCH(kernels::gather_rows, row_copy_grid(n), row_copy_block(1), 0, st,
             static_cast<const std::uint32_t*>(cvr_route.order), n, static_cast<const float*>(s.d_cvr.data()), 1u,
             s.d_cvr_routed.data());
  s.cvr.backward(cvr_route, s.h0_routed.data(), s.d_cvr_routed.data(), s.dh0_routed.data(), st, layer_done);
  MMN_LAUNCH(kernels::scatter_rows, row_copy_grid(n), row_copy_block(s.spec.input_width), 0, st,
             static_cast<const std::uint32_t*>(cvr_route.order), n, static_cast<const float*>(s.dh0_routed.data()),
             s.spec.input_width, s.dh0.data(), true);

  std::vector<kernels::EmbeddingFieldGrad> fields;
  for (std::size_t t = 0; t < s.tables.size(); ++t) {
    kernels::EmbeddingFieldGrad f;
    f.ids = s.current.ids[t], f.vocab = static_cast<std::uint32_t>(s.spec.table_rows[t]);
    f.unique_ids = s.unique_ids[t].data(), f.grads = s.sparse_grads[t].data(), f.count = s.sparse_count[t].data();
    fields.push_back(f);
    s.sparse_bound[t] = n;  // this step's count is at most its rows
  }
  if (!fields.empty())
    kernels::embedding_backward(s.spec.embedding_dim, fields, n, s.dh0.data(), s.spec.input_width,
                                s.embedding_workspace, st);
  s.release_current();
  if (s.announced) {  // the copy of the next batch overlaps this step's kernels
    s.next = s.stage(*s.announced);
    s.announced.reset();
  }
  if (s.reducer) {
    s.buckets_reduced.record(s.communication);
    s.buckets_reduced.make_wait(s.compute);
  }
  float host_loss[3];
  copy_to_host(host_loss, s.loss.data(), sizeof host_loss, s.compute);
  s.compute.synchronize();
  return {host_loss[0], host_loss[1], host_loss[2]};
}

std::uint64_t DeviceModel::non_finite_gradients() {
  State& s = *s_;
  const cudaStream_t st = s.compute.get();
  fill_zero(s.bad.data(), 4, s.compute);
  kernels::add_non_finite_count(s.grads.data(), s.spec.dense_size, s.bad.data(), st);
  for (std::size_t t = 0; t < s.tables.size(); ++t)
    kernels::add_non_finite_count_rows(s.sparse_grads[t].data(), s.sparse_count[t].data(), s.sparse_bound[t],
                                       s.spec.embedding_dim, s.bad.data(), st);
  unsigned int bad = 0;
  copy_to_host(&bad, s.bad.data(), 4, s.compute);
  s.compute.synchronize();
  return bad;
}

void DeviceModel::download_dense_gradients(float* out) {
  copy_to_host(out, s_->grads.data(), 4 * s_->spec.dense_size, s_->compute);
  s_->compute.synchronize();
}

void DeviceModel::upload_dense_gradients(const float* in) {
  copy_to_device(s_->grads.data(), in, 4 * s_->spec.dense_size, s_->compute);
  s_->compute.synchronize();
}

float* DeviceModel::dense_gradients_on_device() { return s_->grads.data(); }

void DeviceModel::set_bucket_reducer(BucketReducer reducer) { s_->reducer = std::move(reducer); }

void DeviceModel::download_sparse_gradients(std::vector<HostSparseRows>& out) {
  State& s = *s_;
  const std::uint32_t dim = s.spec.embedding_dim;
  out.resize(s.tables.size());
  for (std::size_t t = 0; t < s.tables.size(); ++t) {
    std::uint32_t count = 0;
    copy_to_host(&count, s.sparse_count[t].data(), 4, s.compute);
    s.compute.synchronize();
    out[t].ids.resize(count);
    out[t].grads.resize(std::size_t{count} * dim);
    copy_to_host(out[t].ids.data(), s.unique_ids[t].data(), 4 * std::size_t{count}, s.compute);
    copy_to_host(out[t].grads.data(), s.sparse_grads[t].data(), 4 * out[t].grads.size(), s.compute);
  }
  s.compute.synchronize();
}

void DeviceModel::upload_sparse_gradients(const std::vector<HostSparseRows>& in) {
  State& s = *s_;
  const std::uint32_t dim = s.spec.embedding_dim;
  if (in.size() != s.tables.size()) throw DeviceError("DeviceModel: sparse gradients for the wrong number of tables");
  s.compute.synchronize();  // the buffers may be replaced below
  for (std::size_t t = 0; t < s.tables.size(); ++t) {
    const auto count = static_cast<std::uint32_t>(in[t].ids.size());
    if (in[t].grads.size() != std::size_t{count} * dim)
      throw DeviceError("DeviceModel: sparse gradient rows and ids disagree for table " + std::to_string(t));
    if (count > s.unique_ids[t].size()) {
      s.unique_ids[t] = DeviceBuffer<std::uint32_t>(count);
      s.sparse_grads[t] = DeviceBuffer<float>(std::size_t{count} * dim);
    }
    s.sparse_bound[t] = std::max<std::uint32_t>(count, 1);
    copy_to_device(s.unique_ids[t].data(), in[t].ids.data(), 4 * std::size_t{count}, s.compute);
    copy_to_device(s.sparse_grads[t].data(), in[t].grads.data(), 4 * in[t].grads.size(), s.compute);
    copy_to_device(s.sparse_count[t].data(), &count, 4, s.compute);
    s.compute.synchronize();  // `count` lives on this stack frame
  }
}

void DeviceModel::apply_optimizer(const OptimizerStepPlan& plan) {
  State& s = *s_;
  if (!s.spec.train) throw DeviceError("DeviceModel: apply_optimizer on a model made for forward passes only");
  const std::size_t updates = s.spec.lr_ranges.size() + 1;
  if ((s.spec.adam ? plan.adam.size() : plan.adagrad.size()) != updates)
    throw DeviceError("DeviceModel: the optimizer step plan does not cover the ranges and the tables");
  const cudaStream_t st = s.compute.get();
  const std::uint32_t dim = s.spec.embedding_dim;
  for (std::size_t k = 0; k < s.spec.lr_ranges.size(); ++k) {
    const LearningRateRange& r = s.spec.lr_ranges[k];
    if (s.spec.adam)
      kernels::adam_update(s.params.data() + r.offset, s.grads.data() + r.offset, s.dense_state[0].data() + r.offset,
                           s.dense_state[1].data() + r.offset, r.size, plan.adam[k], st);
    else
      kernels::adagrad_update(s.params.data() + r.offset, s.grads.data() + r.offset,
                              s.dense_state[0].data() + r.offset, r.size, plan.adagrad[k], st);
  }
  for (std::size_t t = 0; t < s.tables.size(); ++t) {
    if (s.spec.adam)
      kernels::adam_update_rows(s.tables[t].data(), s.table_state[t][0].data(), s.table_state[t][1].data(), dim,
                                s.unique_ids[t].data(), s.sparse_grads[t].data(), s.sparse_count[t].data(),
                                s.sparse_bound[t], plan.adam.back(), st);
    else
      kernels::adagrad_update_rows(s.tables[t].data(), s.table_state[t][0].data(), dim, s.unique_ids[t].data(),
                                   s.sparse_grads[t].data(), s.sparse_count[t].data(), s.sparse_bound[t],
                                   plan.adagrad.back(), st);
  }
  s.compute.synchronize();
}

}  // namespace mmn::device
