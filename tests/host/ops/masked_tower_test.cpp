#include "mmn/ops/masked_tower.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "mmn/util/thread_pool.h"
#include "testing/composed_storage.h"

namespace mmn {
namespace {

using testing::LayerStorage;

// A 2-layer tower (in -> 24 -> 1) over all 357 domains of a 17 x 21 grid: routing and the
// literal masked form agree on outputs, input gradients and every parameter gradient.
TEST(MaskedTower, GroupedRoutingEqualsMaskedFormOn17x21Domains) {
  ThreadPool pool(2);
  const DomainGrid grid{17, 21};
  for (Composition comp : {Composition::product, Composition::sum}) {
    std::mt19937 rng(21);
    std::vector<LayerStorage> layers;
    layers.emplace_back(grid, 19, 24, std::array<bool, 4>{true, true, true, false}, comp, true, rng);
    layers.emplace_back(grid, 24, 1, std::array<bool, 4>{true, true, true, false}, comp, false, rng);
    const std::size_t n = 700;
    std::vector<std::uint32_t> domain(n);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (auto& d : domain) d = static_cast<std::uint32_t>(std::pow(u(rng), 3.0) * 357) % 357;  // Zipf-like skew
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> x(n * 19), d_logit(n);
    for (auto& v : x) v = normal(rng);
    for (auto& v : d_logit) v = normal(rng);

    // Routed: gather rows, run both layers, scatter the logits back.
    Routing r;
    route_by_domain(domain.data(), n, grid.n_domains(), r);
    std::vector<float> xr(n * 19), h(n * 24), logit_r(n), logit_routed(n);
    gather_rows(r, x.data(), 19, xr.data());
    composed_forward(layers[0].layer(), grid, r, xr.data(), h.data(), pool);
    composed_forward(layers[1].layer(), grid, r, h.data(), logit_r.data(), pool);
    scatter_rows(r, logit_r.data(), 1, logit_routed.data(), false);
    std::vector<float> dl_r(n), dh(n * 24), dxr(n * 19), dx_routed(n * 19);
    gather_rows(r, d_logit.data(), 1, dl_r.data());
    composed_backward(layers[1].layer(), grid, r, h.data(), logit_r.data(), dl_r.data(), dh.data(), layers[1].grad(), pool);
    composed_backward(layers[0].layer(), grid, r, xr.data(), h.data(), dh.data(), dxr.data(), layers[0].grad(), pool);
    scatter_rows(r, dxr.data(), 19, dx_routed.data(), false);
    std::vector<LayerStorage> routed_grads = layers;

    for (auto& l : layers) l.zero_grad();
    std::vector<float> logit_masked(n), dx_masked(n * 19);
    const std::vector<ComposedLayer> ls = {layers[0].layer(), layers[1].layer()};
    masked_tower_forward(ls, grid, x.data(), domain.data(), n, logit_masked.data(), pool);
    masked_tower_backward(ls, grid, x.data(), domain.data(), n, d_logit.data(), dx_masked.data(),
                          {layers[0].grad(), layers[1].grad()}, pool);

    for (std::size_t i = 0; i < n; ++i) ASSERT_NEAR(logit_routed[i], logit_masked[i], 1e-5 * (1 + std::abs(logit_masked[i])));
    for (std::size_t i = 0; i < dx_masked.size(); ++i) ASSERT_NEAR(dx_routed[i], dx_masked[i], 1e-5 * (1 + std::abs(dx_masked[i])));
    for (int li = 0; li < 2; ++li)
      for (int g = 0; g < kParamGroups; ++g) {
        const auto& a = routed_grads[li].gw[g];
        const auto& b = layers[li].gw[g];
        for (std::size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], 1e-4 * (1 + std::abs(b[i]))) << li << " " << g;
        const auto& ab = routed_grads[li].gb[g];
        const auto& bb = layers[li].gb[g];
        for (std::size_t i = 0; i < ab.size(); ++i) ASSERT_NEAR(ab[i], bb[i], 1e-4 * (1 + std::abs(bb[i])));
      }
  }
}

}  // namespace
}  // namespace mmn
