#pragma once
// A tower: a stack of composed layers in -> hidden... -> 1, ReLU between layers, a
// logit out. The CTR tower is one with a 1 x 1 grid and only the shared group; the
// CVR towers draw on the groups their model kind enables. Keeps the activations of
// the last forward, and its MMN layers' packed weights, for the backward: the backward
// follows a forward over the same weights.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "mmn/model/parameter_store.h"
#include "mmn/model/tower_layout.h"
#include "mmn/ops/composed_layer.h"
#include "mmn/util/rng.h"

namespace mmn {

class ThreadPool;

struct TowerShape {
  std::uint32_t in = 0;
  std::vector<std::uint32_t> hidden;  // the output layer (width 1) follows
  std::array<bool, kParamGroups> groups{true, false, false, false};
  Composition composition = Composition::product;
  DomainGrid grid;
  bool routed = false;  // rows routed by domain (the MMN CVR tower)
};

class Tower {
 public:
  // Registers this tower's tensors, named "<name>.<layer>.W.<group>" and ".b.<group>" (for
  // messages; the layout, not the names, says where they are).
  Tower(const std::string& name, TowerShape shape, ParameterStore& store);

  // He-normal shared (or, without a shared group, per-domain) weights; the other groups
  // start neutral: 1 in a product, 0 in a sum. Biases 0.
  void initialize(ParameterStore& store, Rng& rng) const;

  const TowerShape& shape() const { return shape_; }
  // Where each layer's parameters sit in the store's flat arrays.
  const TowerLayout& layout() const { return layout_; }
  std::vector<ComposedLayer> layers(const ParameterStore& store) const;
  std::vector<ComposedLayerGrad> grads(ParameterStore& store) const;
  // Multiply-adds per row of one forward pass.
  std::uint64_t macs_per_row() const;

  // Routed rows: x is rows x in in routing order; returns the routed logits.
  const float* forward(const ParameterStore& store, const Routing& routing, const float* x, ThreadPool& pool);
  // d_logit routed; dx (rows x in, routed) overwritten unless null; gradients accumulate into the store.
  void backward(ParameterStore& store, const Routing& routing, const float* x, const float* d_logit, float* dx,
                ThreadPool& pool);

  // The literal masked form on rows in row order (see masked_tower.h).
  void masked_forward(const ParameterStore& store, const float* x, const std::uint32_t* domain, std::size_t n,
                      float* logit, ThreadPool& pool) const;
  void masked_backward(ParameterStore& store, const float* x, const std::uint32_t* domain, std::size_t n,
                       const float* d_logit, float* dx, ThreadPool& pool) const;

 private:
  TowerShape shape_;
  std::vector<std::uint32_t> widths_;  // in, hidden..., 1
  TowerLayout layout_;
  // Points each MMN layer of `ls` at its buffer of packed weights (sized on first use).
  void keep_packed_weights(std::vector<ComposedLayer>& ls);

  std::vector<std::vector<float>> acts_;    // per layer output
  std::vector<std::vector<float>> packed_;  // per layer: an MMN layer's packed weights
  std::vector<float> dy_, dx_hidden_;
};

}  // namespace mmn
