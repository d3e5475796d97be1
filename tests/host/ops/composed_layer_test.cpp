#include "mmn/ops/composed_layer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "mmn/ops/product_layer.h"
#include "mmn/util/thread_pool.h"
#include "testing/composed_storage.h"

namespace mmn {
namespace {

using testing::LayerStorage;

struct Config {
  const char* name;
  std::array<bool, kParamGroups> groups;
  Composition composition;
};

const Config kConfigs[] = {
    {"mmn_product", {true, true, true, false}, Composition::product},
    {"mmn_sum", {true, true, true, false}, Composition::sum},
    {"no_type_product", {true, false, true, false}, Composition::product},
    {"star", {true, false, false, true}, Composition::product},
    {"separate", {false, false, false, true}, Composition::product},
    {"shared_only", {true, false, false, false}, Composition::product},
};

// 3 types x 4 scenarios; domain 5 has many rows, domain 7 one row, most domains none.
std::vector<std::uint32_t> batch_domains() { return {5, 7, 5, 0, 5, 11, 0, 5, 5, 11, 5, 0, 5}; }

struct Fixture {
  DomainGrid grid{3, 4};
  std::vector<std::uint32_t> domain = batch_domains();
  Routing routing;
  std::vector<float> x;  // routed rows x in
  Fixture(std::uint32_t in, std::mt19937& rng) {
    route_by_domain(domain.data(), domain.size(), grid.n_domains(), routing);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    x.resize(domain.size() * in);
    for (auto& v : x) v = normal(rng);
  }
};

// Direct definition in double: y[k] = act(x[k] . W_d + b_d) with W_d composed element by element.
std::vector<double> reference_forward(const LayerStorage& s, const DomainGrid& grid, const Routing& r,
                                      const std::vector<float>& x) {
  std::vector<double> y(r.total_rows() * s.out);
  for (const std::uint32_t d : r.active)
    for (std::uint32_t k = r.offsets[d]; k < r.offsets[d + 1]; ++k)
      for (std::uint32_t j = 0; j < s.out; ++j) {
        double z = 0;
        for (int g = 0; g < kParamGroups; ++g)
          if (!s.b[g].empty()) z += s.b[g][grid.set_of(g, d) * s.out + j];
        for (std::uint32_t i = 0; i < s.in; ++i) {
          double w = s.composition == Composition::product ? 1.0 : 0.0;
          for (int g = 0; g < kParamGroups; ++g) {
            if (s.w[g].empty()) continue;
            const double v = s.w[g][(std::size_t{grid.set_of(g, d)} * s.in + i) * s.out + j];
            w = s.composition == Composition::product ? w * v : w + v;
          }
          z += x[std::size_t{k} * s.in + i] * w;
        }
        y[std::size_t{k} * s.out + j] = s.relu ? std::max(z, 0.0) : z;
      }
  return y;
}

TEST(ComposedLayer, ForwardMatchesDirectDefinition) {
  ThreadPool pool(2);
  for (const Config& c : kConfigs) {
    std::mt19937 rng(11);
    Fixture f(37, rng);
    LayerStorage s(f.grid, 37, 70, c.groups, c.composition, true, rng);
    std::vector<float> y(f.domain.size() * 70);
    composed_forward(s.layer(), f.grid, f.routing, f.x.data(), y.data(), pool);
    const std::vector<double> ref = reference_forward(s, f.grid, f.routing, f.x);
    for (std::size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], ref[i], 1e-4 * (1 + std::abs(ref[i]))) << c.name;
  }
}

// L = sum_k c_k . y_k with fixed random c: its gradient w.r.t. every parameter and input,
// against central differences of the double-precision reference forward.
TEST(ComposedLayer, BackwardMatchesCentralDifferences) {
  ThreadPool pool(2);
  for (const Config& c : kConfigs)
    for (bool relu : {false, true}) {
      std::mt19937 rng(12);
      Fixture f(37, rng);
      LayerStorage s(f.grid, 37, 70, c.groups, c.composition, relu, rng);
      std::normal_distribution<float> normal(0.0f, 1.0f);
      std::vector<float> coeff(f.domain.size() * 70);
      for (auto& v : coeff) v = normal(rng);
      auto loss = [&]() {
        const std::vector<double> y = reference_forward(s, f.grid, f.routing, f.x);
        double l = 0;
        for (std::size_t i = 0; i < y.size(); ++i) l += coeff[i] * y[i];
        return l;
      };
      std::vector<float> y(coeff.size()), dy = coeff, dx(f.x.size());
      composed_forward(s.layer(), f.grid, f.routing, f.x.data(), y.data(), pool);
      composed_backward(s.layer(), f.grid, f.routing, f.x.data(), y.data(), dy.data(), dx.data(), s.grad(), pool);

      // Sign pattern of the pre-activations: a probe whose +-eps step crosses a ReLU kink
      // has no derivative to compare and is skipped.
      auto signs = [&]() {
        const bool saved_relu = s.relu;
        s.relu = false;
        const std::vector<double> z = reference_forward(s, f.grid, f.routing, f.x);
        s.relu = saved_relu;
        std::vector<bool> positive(z.size());
        for (std::size_t i = 0; i < z.size(); ++i) positive[i] = z[i] > 0;
        return positive;
      };
      int skipped = 0;
      auto check = [&](float& param, float analytic, const char* what) {
        const float saved = param;
        const double eps = 1e-3;
        param = static_cast<float>(saved + eps);
        const double hi = loss();
        const auto signs_hi = relu ? signs() : std::vector<bool>();
        param = static_cast<float>(saved - eps);
        const double lo = loss();
        const auto signs_lo = relu ? signs() : std::vector<bool>();
        param = saved;
        if (signs_hi != signs_lo) {
          ++skipped;
          return;
        }
        const double fd = (hi - lo) / (2 * eps);
        EXPECT_NEAR(analytic, fd, 2e-3 * std::abs(fd) + 2e-3) << c.name << " relu " << relu << " " << what;
      };
      std::uniform_int_distribution<std::size_t> pick(0, 1u << 30);
      for (int g = 0; g < kParamGroups; ++g) {
        if (s.w[g].empty()) continue;
        for (int probe = 0; probe < 25; ++probe) {
          const std::size_t i = pick(rng) % s.w[g].size();
          check(s.w[g][i], s.gw[g][i], param_group_name(g));
        }
        for (int probe = 0; probe < 10; ++probe) {
          const std::size_t i = pick(rng) % s.b[g].size();
          check(s.b[g][i], s.gb[g][i], "bias");
        }
        // Parameters of domains absent from the batch get exactly zero gradient.
        if (g == kDomain) {
          for (std::size_t i = std::size_t{3} * 37 * 70; i < std::size_t{4} * 37 * 70; ++i) ASSERT_EQ(s.gw[g][i], 0.0f);
        }
      }
      for (int probe = 0; probe < 25; ++probe) {
        const std::size_t i = pick(rng) % f.x.size();
        check(f.x[i], dx[i], "input");
      }
      EXPECT_LT(skipped, 10) << c.name << ": too many probes on a kink to mean anything";
    }
}

// Wide layers split their output columns between threads; the narrow last layer its inputs.
TEST(ComposedLayer, ResultsDoNotDependOnThreadCount) {
  for (Composition comp : {Composition::product, Composition::sum})
  for (std::uint32_t out : {130u, 1u}) {
    std::mt19937 rng(13);
    Fixture f(37, rng);
    LayerStorage one(f.grid, 37, out, kConfigs[0].groups, comp, true, rng);
    LayerStorage two = one;
    std::vector<float> y1(f.domain.size() * out), y2 = y1, dy1(y1.size(), 0.5f), dy2 = dy1, dx1(f.x.size()), dx2 = dx1;
    ThreadPool p1(1), p3(3);
    composed_forward(one.layer(), f.grid, f.routing, f.x.data(), y1.data(), p1);
    composed_forward(two.layer(), f.grid, f.routing, f.x.data(), y2.data(), p3);
    EXPECT_EQ(y1, y2);
    composed_backward(one.layer(), f.grid, f.routing, f.x.data(), y1.data(), dy1.data(), dx1.data(), one.grad(), p1);
    composed_backward(two.layer(), f.grid, f.routing, f.x.data(), y2.data(), dy2.data(), dx2.data(), two.grad(), p3);
    EXPECT_EQ(dx1, dx2);
    for (int g = 0; g < kParamGroups; ++g) {
      EXPECT_EQ(one.gw[g], two.gw[g]);
      EXPECT_EQ(one.gb[g], two.gb[g]);
    }
  }
}

// The MMN layer's weights packed once in the forward and read back by the backward (as the
// towers run it) against packing them in each pass. The buffer starts as NaN, so a pass that
// reads it before the forward has filled it shows.
TEST(ComposedLayer, WeightsKeptPackedFromForwardToBackwardGiveTheSameBits) {
  for (std::uint32_t out : {130u, 1u}) {
    std::mt19937 rng(17);
    Fixture f(37, rng);
    LayerStorage each(f.grid, 37, out, kConfigs[0].groups, Composition::product, out > 1, rng);
    LayerStorage kept = each;
    ComposedLayer layer = kept.layer();
    std::vector<float> packed(packed_product_weights_size(layer, f.grid), std::nanf(""));
    layer.packed = packed.data();
    std::vector<float> y1(f.domain.size() * out), y2 = y1, dy1(y1.size(), 0.5f), dy2 = dy1, dx1(f.x.size()), dx2 = dx1;
    ThreadPool pool(2);
    composed_forward(each.layer(), f.grid, f.routing, f.x.data(), y1.data(), pool);
    composed_forward(layer, f.grid, f.routing, f.x.data(), y2.data(), pool);
    EXPECT_EQ(y1, y2) << "out " << out;
    composed_backward(each.layer(), f.grid, f.routing, f.x.data(), y1.data(), dy1.data(), dx1.data(), each.grad(),
                      pool);
    composed_backward(layer, f.grid, f.routing, f.x.data(), y2.data(), dy2.data(), dx2.data(), kept.grad(), pool);
    EXPECT_EQ(dx1, dx2) << "out " << out;
    for (int g = 0; g < kParamGroups; ++g) {
      EXPECT_EQ(each.gw[g], kept.gw[g]) << "out " << out << " group " << g;
      EXPECT_EQ(each.gb[g], kept.gb[g]) << "out " << out << " group " << g;
    }
  }
}

}  // namespace
}  // namespace mmn
