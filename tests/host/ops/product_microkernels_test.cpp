// The MMN layer's register kernels (and their portable versions) against double-precision
// loops over the same definitions, on shapes that exercise every register tile, partial
// vector and remainder; and the panel packing element by element.
#include "mmn/ops/product_microkernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace mmn::product_kernels {
namespace {

std::vector<float> random_floats(std::size_t n, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = normal(rng);
  return v;
}

std::size_t panel_index(std::uint32_t depth, std::uint32_t k, std::uint32_t c) {
  return std::size_t{c / kPanelWidth} * depth * kPanelWidth + std::size_t{k} * kPanelWidth + c % kPanelWidth;
}

void expect_packed(std::uint32_t rows, std::uint32_t cols, std::uint32_t ld, std::uint32_t seed) {
  std::mt19937 rng(seed);
  const std::uint32_t padded_cols = (cols + 15) / 16 * 16, padded_rows = (rows + 15) / 16 * 16;
  const std::vector<float> in = random_floats(rows * ld, rng), scale = random_floats(rows * ld, rng);
  std::vector<float> out(panels_size(rows, cols), -1.0f), scaled(out.size(), -1.0f), t(panels_size(cols, rows), -1.0f);
  pack_panels(in.data(), ld, rows, cols, out.data());
  pack_panels(in.data(), ld, rows, cols, scaled.data(), scale.data());
  transpose_panels(out.data(), rows, cols, t.data());
  ASSERT_EQ(out.size(), std::size_t{rows} * padded_cols);
  for (std::uint32_t k = 0; k < rows; ++k)
    for (std::uint32_t c = 0; c < padded_cols; ++c) {
      const std::size_t p = panel_index(rows, k, c);
      ASSERT_EQ(out[p], c < cols ? in[k * ld + c] : 0.0f) << k << "," << c;
      ASSERT_EQ(scaled[p], c < cols ? in[k * ld + c] * scale[k * ld + c] : 0.0f) << k << "," << c;
    }
  ASSERT_EQ(t.size(), std::size_t{cols} * padded_rows);
  for (std::uint32_t c = 0; c < cols; ++c)
    for (std::uint32_t k = 0; k < padded_rows; ++k)
      ASSERT_EQ(t[panel_index(cols, c, k)], k < rows ? in[k * ld + c] : 0.0f) << c << "," << k;
}

// Partial panels only, then whole 16 x 16 blocks (transposed in registers) beside partial ones.
TEST(PackPanels, PlacesEveryElementAndPadsWithZeros) {
  expect_packed(5, 37, 40, 1);
  expect_packed(37, 40, 43, 2);
  expect_packed(32, 16, 16, 3);
}

struct GemmCase {
  std::uint32_t rows, depth, cols;
  bool bias, relu;
};

void expect_gemm(void (*kernel)(const GemmArgs&), const GemmCase& g, std::uint32_t seed) {
  std::mt19937 rng(seed);
  const std::size_t ldx = g.depth + 3, ldy = g.cols + 5;
  const std::vector<float> x = random_floats(g.rows * ldx, rng), a = random_floats(g.depth * g.cols, rng),
                           b = random_floats(g.depth * g.cols, rng), bias = random_floats(g.cols, rng);
  std::vector<float> ap(panels_size(g.depth, g.cols)), bp(ap.size());
  pack_panels(a.data(), g.cols, g.depth, g.cols, ap.data());
  pack_panels(b.data(), g.cols, g.depth, g.cols, bp.data());
  const float sentinel = 12345.0f;
  std::vector<float> y(g.rows * ldy, sentinel);
  kernel({x.data(), ldx, g.rows, g.depth, g.cols, ap.data(), bp.data(), g.bias ? bias.data() : nullptr, g.relu,
          y.data(), ldy});
  for (std::uint32_t i = 0; i < g.rows; ++i) {
    for (std::uint32_t c = 0; c < g.cols; ++c) {
      double z = g.bias ? bias[c] : 0.0, magnitude = std::abs(z);
      for (std::uint32_t k = 0; k < g.depth; ++k) {
        const double term = double{x[i * ldx + k]} * a[k * g.cols + c] * b[k * g.cols + c];
        z += term;
        magnitude += std::abs(term);
      }
      if (g.relu) z = std::max(z, 0.0);
      ASSERT_NEAR(y[i * ldy + c], z, 1e-5 * (1 + magnitude))
          << "rows " << g.rows << " depth " << g.depth << " cols " << g.cols << " at " << i << "," << c;
    }
    for (std::size_t c = g.cols; c < ldy; ++c) ASSERT_EQ(y[i * ldy + c], sentinel) << "wrote past the columns";
  }
}

TEST(ProductGemm, MatchesTheDefinitionForEveryRowCountAndColumnRemainder) {
  std::uint32_t seed = 0;
  for (auto kernel : {&gemm, &portable::gemm})
    for (std::uint32_t rows = 1; rows <= kMaxRows; ++rows)
      for (std::uint32_t cols : {1u, 15u, 16u, 17u, 32u, 33u, 70u})
        for (std::uint32_t depth : {1u, 9u})
          expect_gemm(kernel, {rows, depth, cols, (seed & 1) != 0, (seed & 2) != 0}, ++seed);
}

TEST(ProductGemm, ReluKeepsNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (auto kernel : {&gemm, &portable::gemm}) {
    std::vector<float> x = {1.0f, 1.0f}, a(panels_size(2, 3), 1.0f), b = a, y(3);
    a[0] = nan;  // column 0 of row 0
    a[1] = -5.0f;
    kernel({x.data(), 2, 1, 2, 3, a.data(), b.data(), nullptr, true, y.data(), 3});
    EXPECT_TRUE(std::isnan(y[0]));
    EXPECT_EQ(y[1], 0.0f);
    EXPECT_EQ(y[2], 2.0f);
  }
}

struct Segment {
  std::uint32_t rows, type, scenario;
};

// dz row-major (row stride lddz), or, when packed_dz, in the kernel's column tiles.
void expect_type_fold(void (*kernel)(const TypeFoldArgs&), std::uint32_t depth, std::uint32_t cols,
                      const std::vector<Segment>& segments, std::uint32_t seed, bool packed_dz = false) {
  std::mt19937 rng(seed);
  const std::uint32_t types = 3, scenarios = 3, ldw = cols + 2, ldx = depth + 1, lddz = cols + 4;
  std::uint32_t total = 0;
  for (const Segment& s : segments) total += s.rows;
  const std::vector<float> x = random_floats(std::size_t{total} * ldx, rng), dz = random_floats(std::size_t{total} * lddz, rng);
  const std::size_t size = std::size_t{depth} * ldw;
  const std::vector<float> ws = random_floats(scenarios * size, rng), w = random_floats(size, rng),
                           wt = random_floats(types * size, rng);
  std::vector<float> p(types * size);
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = w[i % size] * wt[i];
  std::vector<float> dws = random_floats(scenarios * size, rng), dw = random_floats(size, rng),
                     dwt = random_floats(types * size, rng);
  std::vector<double> e_dws(dws.begin(), dws.end()), e_dw(dw.begin(), dw.end()), e_dwt(dwt.begin(), dwt.end()),
      a(types * size, 0.0);
  // The kernel reads P and Ws as panels.
  const std::size_t panels = panels_size(depth, cols);
  std::vector<float> p_panels(types * panels), ws_panels(scenarios * panels);
  for (std::uint32_t t = 0; t < types; ++t)
    pack_panels(p.data() + t * size, ldw, depth, cols, p_panels.data() + t * panels);
  for (std::uint32_t s = 0; s < scenarios; ++s)
    pack_panels(ws.data() + s * size, ldw, depth, cols, ws_panels.data() + s * panels);
  std::vector<FoldSegment> args;
  std::uint32_t first = 0;
  for (const Segment& s : segments) {
    args.push_back({first, s.rows, s.type, ws_panels.data() + s.scenario * panels, dws.data() + s.scenario * size});
    for (std::uint32_t k = 0; k < depth; ++k)
      for (std::uint32_t c = 0; c < cols; ++c) {
        double g = 0;
        for (std::uint32_t i = first; i < first + s.rows; ++i) g += double{x[i * ldx + k]} * dz[i * lddz + c];
        const std::size_t e = k * ldw + c;
        e_dws[s.scenario * size + e] += g * p[s.type * size + e];
        a[s.type * size + e] += g * ws[s.scenario * size + e];
      }
    first += s.rows;
  }
  std::vector<FoldType> fold_types;
  for (std::uint32_t t = 0; t < types; ++t) {
    fold_types.push_back({p_panels.data() + t * panels, wt.data() + t * size, dwt.data() + t * size});
    for (std::size_t e = 0; e < size; ++e) {
      e_dw[e] += a[t * size + e] * wt[t * size + e];
      e_dwt[t * size + e] += a[t * size + e] * w[e];
    }
  }
  const std::uint32_t tiles = (cols + kFoldTileCols - 1) / kFoldTileCols;
  std::vector<float> dz_tiles(std::size_t{tiles} * total * kFoldTileCols, std::nanf(""));  // padding unread
  for (std::uint32_t i = 0; i < total; ++i)
    for (std::uint32_t c = 0; c < cols; ++c)
      dz_tiles[(std::size_t{c / kFoldTileCols} * total + i) * kFoldTileCols + c % kFoldTileCols] = dz[i * lddz + c];
  if (packed_dz)
    kernel({x.data(), ldx, dz_tiles.data(), kFoldTileCols, std::size_t{total} * kFoldTileCols, args.data(),
            static_cast<std::uint32_t>(args.size()), fold_types.data(), types, depth, cols, ldw,
            std::size_t{depth} * kPanelWidth, w.data(), dw.data()});
  else
    kernel({x.data(), ldx, dz.data(), lddz, kFoldTileCols, args.data(), static_cast<std::uint32_t>(args.size()),
            fold_types.data(), types, depth, cols, ldw, std::size_t{depth} * kPanelWidth, w.data(), dw.data()});
  const double tol = 1e-4 * (1 + std::sqrt(static_cast<double>(total)) * static_cast<double>(segments.size()));
  for (std::uint32_t k = 0; k < depth; ++k)
    for (std::uint32_t c = 0; c < ldw; ++c) {
      const std::size_t e = k * ldw + c;
      // Columns past `cols` (the row stride's padding) are left as they were.
      ASSERT_NEAR(dw[e], e_dw[e], tol) << "dW " << k << "," << c << " depth " << depth << " cols " << cols;
      for (std::uint32_t t = 0; t < types; ++t)
        ASSERT_NEAR(dwt[t * size + e], e_dwt[t * size + e], tol) << "dWt[" << t << "] " << k << "," << c;
      for (std::uint32_t s = 0; s < scenarios; ++s)
        ASSERT_NEAR(dws[s * size + e], e_dws[s * size + e], tol) << "dWs[" << s << "] " << k << "," << c;
    }
}

TEST(ProductTypeFold, MatchesTheDefinitionOnEveryTileAndRemainder) {
  // Runs of one scenario over several types, a scenario that comes back after another, a
  // one-row and an empty segment, one longer than any register tile, and a type (1) with no
  // segment. Depths: every partial register tile (1 to 11 rows), one whole tile, and two whole
  // tiles with a partial one.
  const std::vector<Segment> segments = {{3, 0, 0}, {4, 2, 0}, {1, 2, 2}, {0, 0, 1}, {30, 0, 1}, {2, 2, 1},
                                         {5, 0, 0}};
  std::uint32_t seed = 100;
  for (auto kernel : {&type_fold, &portable::type_fold})
    for (std::uint32_t depth : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u, 30u})
      for (std::uint32_t cols : {1u, 16u, 17u, 32u, 40u, 64u}) expect_type_fold(kernel, depth, cols, segments, ++seed);
}

TEST(ProductTypeFold, ReadsDzPackedInColumnTiles) {
  const std::vector<Segment> segments = {{3, 0, 0}, {4, 2, 0}, {1, 2, 2}, {30, 0, 1}, {5, 1, 0}};
  std::uint32_t seed = 200;
  for (auto kernel : {&type_fold, &portable::type_fold})
    for (std::uint32_t depth : {5u, 12u, 13u, 30u})
      for (std::uint32_t cols : {17u, 32u, 40u, 64u, 90u})
        expect_type_fold(kernel, depth, cols, segments, ++seed, /*packed_dz=*/true);
}

TEST(ProductTypeFold, NoSegmentsLeavesTheGradientsUnchanged) {
  for (auto kernel : {&type_fold, &portable::type_fold}) expect_type_fold(kernel, 6, 32, {}, 7);
}

}  // namespace
}  // namespace mmn::product_kernels
