#include "mmn/model/tower.h"

#include <algorithm>
#include <cmath>

#include "mmn/ops/masked_tower.h"
#include "mmn/ops/product_layer.h"
#include "mmn/ops/type_grouped_fold.h"
#include "mmn/util/rng.h"

namespace mmn {

Tower::Tower(const std::string& name, TowerShape shape, ParameterStore& store) : shape_(std::move(shape)) {
  widths_.push_back(shape_.in);
  for (const auto h : shape_.hidden) widths_.push_back(h);
  widths_.push_back(1);
  layout_.composition = shape_.composition;
  layout_.routed = shape_.routed;
  layout_.grid = shape_.grid;
  for (std::size_t l = 0; l + 1 < widths_.size(); ++l) {
    LayerLayout layer;
    layer.in = widths_[l], layer.out = widths_[l + 1], layer.relu = l + 2 < widths_.size();
    layer.params_begin = store.size_registered();
    for (int g = 0; g < kParamGroups; ++g) {
      if (!shape_.groups[g]) continue;
      const std::size_t sets = shape_.grid.sets(g);
      const std::string base = name + "." + std::to_string(l);
      const std::size_t w = store.add(base + ".W." + param_group_name(g), {sets, layer.in, layer.out}, true, g);
      const std::size_t b = store.add(base + ".b." + param_group_name(g), {sets, layer.out}, false, g);
      layer.weight_offset[g] = static_cast<long>(store.tensors()[w].offset);
      layer.bias_offset[g] = static_cast<long>(store.tensors()[b].offset);
    }
    layer.params_end = store.size_registered();
    layout_.layers.push_back(layer);
  }
  acts_.resize(widths_.size() - 1);
}

void Tower::initialize(ParameterStore& store, Rng& rng) const {
  const int random_group = shape_.groups[kShared] ? kShared : kDomain;
  float* values = store.all_values().data();
  for (const LayerLayout& layer : layout_.layers) {
    const bool last = &layer == &layout_.layers.back();
    const float std_dev = std::sqrt((last ? 1.0f : 2.0f) / static_cast<float>(layer.in));
    for (int g = 0; g < kParamGroups; ++g) {
      if (!layer.has(g)) continue;
      const std::size_t sets = shape_.grid.sets(g);
      float* w = values + layer.weight_offset[g];
      const float neutral = shape_.composition == Composition::product ? 1.0f : 0.0f;
      for (std::size_t i = 0; i < sets * layer.in * layer.out; ++i)
        w[i] = g == random_group ? static_cast<float>(rng.normal()) * std_dev : neutral;
      std::fill_n(values + layer.bias_offset[g], sets * layer.out, 0.0f);
    }
  }
}

std::vector<ComposedLayer> Tower::layers(const ParameterStore& store) const {
  std::vector<ComposedLayer> out;
  for (std::size_t l = 0; l < layout_.layers.size(); ++l)
    out.push_back(composed_layer(layout_, l, store.all_values().data()));
  return out;
}

std::vector<ComposedLayerGrad> Tower::grads(ParameterStore& store) const {
  std::vector<ComposedLayerGrad> out;
  for (std::size_t l = 0; l < layout_.layers.size(); ++l)
    out.push_back(composed_layer_grad(layout_, l, store.all_grads().data()));
  return out;
}

std::uint64_t Tower::macs_per_row() const {
  std::uint64_t m = 0;
  for (std::size_t l = 0; l + 1 < widths_.size(); ++l) m += std::uint64_t{widths_[l]} * widths_[l + 1];
  return m;
}

void Tower::keep_packed_weights(std::vector<ComposedLayer>& ls) {
  packed_.resize(ls.size());
  for (std::size_t l = 0; l < ls.size(); ++l) {
    if (!type_grouped_fold_applies(ls[l])) continue;
    const std::size_t size = packed_product_weights_size(ls[l], shape_.grid);
    if (packed_[l].size() != size) packed_[l].resize(size);
    ls[l].packed = packed_[l].data();
  }
}

const float* Tower::forward(const ParameterStore& store, const Routing& routing, const float* x, ThreadPool& pool) {
  std::vector<ComposedLayer> ls = layers(store);
  keep_packed_weights(ls);
  const std::size_t n = routing.total_rows();
  for (std::size_t l = 0; l < ls.size(); ++l) {
    acts_[l].resize(n * ls[l].out);
    composed_forward(ls[l], shape_.grid, routing, l == 0 ? x : acts_[l - 1].data(), acts_[l].data(), pool);
  }
  return acts_.back().data();
}

void Tower::backward(ParameterStore& store, const Routing& routing, const float* x, const float* d_logit, float* dx,
                     ThreadPool& pool) {
  std::vector<ComposedLayer> ls = layers(store);
  keep_packed_weights(ls);
  const std::vector<ComposedLayerGrad> gs = grads(store);
  const std::size_t n = routing.total_rows();
  const std::size_t widest = *std::max_element(widths_.begin(), widths_.end());
  // Sized once for the widest layer: resizing between layers would zero-fill megabytes a step.
  if (dy_.size() < n * widest) dy_.resize(n * widest);
  if (dx_hidden_.size() < n * widest) dx_hidden_.resize(n * widest);
  float* dy = dy_.data();
  float* dx_hidden = dx_hidden_.data();
  std::copy(d_logit, d_logit + n, dy);
  for (std::size_t l = ls.size(); l-- > 0;) {
    float* dx_out = l > 0 ? dx_hidden : dx;
    composed_backward(ls[l], shape_.grid, routing, l == 0 ? x : acts_[l - 1].data(), acts_[l].data(), dy, dx_out,
                      gs[l], pool);
    std::swap(dy, dx_hidden);
  }
}

void Tower::masked_forward(const ParameterStore& store, const float* x, const std::uint32_t* domain, std::size_t n,
                           float* logit, ThreadPool& pool) const {
  masked_tower_forward(layers(store), shape_.grid, x, domain, n, logit, pool);
}

void Tower::masked_backward(ParameterStore& store, const float* x, const std::uint32_t* domain, std::size_t n,
                            const float* d_logit, float* dx, ThreadPool& pool) const {
  masked_tower_backward(layers(store), shape_.grid, x, domain, n, d_logit, dx, grads(store), pool);
}

}  // namespace mmn
