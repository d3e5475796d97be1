#include "mmn/ops/product_microkernels.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace mmn::product_kernels {

namespace portable {

void gemm(const GemmArgs& g) {
  const std::size_t panel = std::size_t{g.depth} * kPanelWidth;
  for (std::uint32_t i = 0; i < g.rows; ++i) {
    float* y = g.y + i * g.ldy;
    for (std::uint32_t c = 0; c < g.cols; ++c) y[c] = 0.0f;
    for (std::uint32_t k = 0; k < g.depth; ++k) {
      const float xk = g.x[i * g.ldx + k];
      for (std::uint32_t c = 0; c < g.cols; ++c) {
        const std::size_t w = c / kPanelWidth * panel + k * kPanelWidth + c % kPanelWidth;
        y[c] += xk * (g.a[w] * g.b[w]);
      }
    }
    for (std::uint32_t c = 0; c < g.cols; ++c) {
      const float v = y[c] + (g.bias != nullptr ? g.bias[c] : 0.0f);
      y[c] = g.relu ? std::max(v, 0.0f) : v;
    }
  }
}

void type_fold(const TypeFoldArgs& f) {
  const std::size_t tile = std::size_t{f.depth} * f.cols;
  std::vector<float> a(f.n_types * tile, 0.0f);
  for (std::uint32_t n = 0; n < f.n_segments; ++n) {
    const FoldSegment& seg = f.segments[n];
    const FoldType& type = f.types[seg.type];
    for (std::uint32_t k = 0; k < f.depth; ++k)
      for (std::uint32_t c = 0; c < f.cols; ++c) {
        float g = 0.0f;
        for (std::uint32_t i = seg.first_row; i < seg.first_row + seg.rows; ++i)
          g += f.x[i * f.ldx + k] * f.dz[c / kFoldTileCols * f.dz_tile + i * f.lddz + c % kFoldTileCols];
        const std::size_t panel = c / kPanelWidth * f.panel_stride + k * kPanelWidth + c % kPanelWidth;
        seg.scenario_grad[k * f.ldw + c] += g * type.product[panel];
        a[seg.type * tile + k * f.cols + c] += g * seg.scenario_weight[panel];
      }
  }
  for (std::uint32_t t = 0; t < f.n_types; ++t)
    for (std::uint32_t k = 0; k < f.depth; ++k)
      for (std::uint32_t c = 0; c < f.cols; ++c) {
        const std::size_t w = k * f.ldw + c;
        const float at = a[t * tile + k * f.cols + c];
        f.shared_grad[w] += at * f.types[t].weight[w];
        f.types[t].grad[w] += at * f.shared[w];
      }
}

}  // namespace portable

#if defined(__AVX512F__)
namespace {

constexpr int kLanes = 16;

// The lanes of m, or in a whole tile (Full) the whole vector: masked loads and stores are much
// slower than whole ones on some cores (AMD Zen 4), so only a partial last tile uses them.
template <bool Full>
inline __m512 load_lanes(__mmask16 m, const float* p) {
  return Full ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(m, p);
}
template <bool Full>
inline void store_lanes(float* p, __mmask16 m, __m512 v) {
  if (Full) _mm512_storeu_ps(p, v); else _mm512_mask_storeu_ps(p, m, v);
}
// out += g ⊙ w on those lanes.
template <bool Full>
inline void add_product(float* out, __m512 g, const float* w, __mmask16 m) {
  store_lanes<Full>(out, m, _mm512_fmadd_ps(g, load_lanes<Full>(m, w), load_lanes<Full>(m, out)));
}

// Prefetches the float `floats` floats after p. As integers: the address may lie past the end of
// the array, which a prefetch may touch but pointer arithmetic may not reach.
inline void prefetch_ahead(const float* p, std::size_t floats) {
  _mm_prefetch(reinterpret_cast<const char*>(reinterpret_cast<std::uintptr_t>(p) + floats * sizeof(float)),
               _MM_HINT_T0);
}

// `gemm` prefetches its weight panels this many rows (cache lines) ahead: the domains' P[t] and
// Ws[s] stream from L2 and L3 faster with it than with the hardware prefetchers alone.
// (Criteo-like layers 0 and 1, both threads: forward and input gradient 10 to 13 % faster with
// 16 rows, 8 and 24 a little less; the step 3 %.)
constexpr std::size_t kWeightPrefetchRows = 16;

// A tile of `MR` rows by NV vectors of columns from column c; the last vector's lanes by `last`.
template <int MR, int NV, bool Full>
void gemm_tile(const GemmArgs& g, std::uint32_t c, __mmask16 last) {
  __m512 acc[MR][NV];
  #pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
    #pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_ps();
  const std::size_t panel = std::size_t{g.depth} * kPanelWidth;
  const float* a = g.a + c / kPanelWidth * panel;
  const float* b = g.b + c / kPanelWidth * panel;
  for (std::uint32_t k = 0; k < g.depth; ++k, a += kPanelWidth, b += kPanelWidth) {
    __m512 w[NV];
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) {
      prefetch_ahead(a + v * panel, kWeightPrefetchRows * kPanelWidth);
      prefetch_ahead(b + v * panel, kWeightPrefetchRows * kPanelWidth);
    }
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v)
      w[v] = _mm512_mul_ps(_mm512_loadu_ps(a + v * panel), _mm512_loadu_ps(b + v * panel));
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const __m512 xi = _mm512_set1_ps(g.x[i * g.ldx + k]);
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(xi, w[v], acc[i][v]);
    }
  }
#pragma GCC unroll 16
  for (int v = 0; v < NV; ++v) {
    const __mmask16 m = v == NV - 1 ? last : __mmask16(0xFFFF);
    const __m512 bias = g.bias == nullptr ? _mm512_setzero_ps() : load_lanes<Full>(m, g.bias + c + v * kLanes);
    #pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      __m512 r = _mm512_add_ps(acc[i][v], bias);
      if (g.relu) r = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(r, _mm512_setzero_ps(), _CMP_NLT_UQ), r);  // NaN stays
      store_lanes<Full>(g.y + i * g.ldy + c + v * kLanes, m, r);
    }
  }
}

__mmask16 lanes_mask(std::uint32_t n) { return n >= kLanes ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1u); }

template <int MR>
void gemm_rows(const GemmArgs& g) {
  std::uint32_t c = 0;
  for (; c + 2 * kLanes <= g.cols; c += 2 * kLanes) gemm_tile<MR, 2, true>(g, c, 0xFFFF);
  const std::uint32_t left = g.cols - c;
  if (left > kLanes) gemm_tile<MR, 2, false>(g, c, lanes_mask(left - kLanes));
  else if (left > 0) gemm_tile<MR, 1, false>(g, c, lanes_mask(left));
}

// The fold prefetches the row of x this far ahead. x's rows are a kilobyte or more apart, and the
// hardware prefetchers fall behind; past a segment's end the row is usually the next domain's,
// folded soon after. (Criteo-like layers 0 and 1, both threads folding: 4 % faster with 32 rows;
// 48 alike; prefetching dz as well, or each segment's first rows before it starts, did not help.)
constexpr std::size_t kPrefetchAhead = 32;

// KR rows of the depth (from k) by NV vectors of columns (from c; the last vector's lanes by
// `last`). Each segment's G is in registers; each type's A in `a`, KR * NV vectors per type.
// Everything the loops need is copied to locals and the weight rows are walked with pointers, so
// that stores to the gradients do not force reloads of the arguments.
template <int KR, int NV, bool Full>
void type_fold_tile(const TypeFoldArgs& f, std::uint32_t k, std::uint32_t c, __mmask16 last, float* a) {
  constexpr int kTile = KR * NV * kLanes;
  const std::size_t ldw = f.ldw, ldx = f.ldx, lddz = f.lddz, base = k * ldw + c;
  const std::size_t panel_stride = f.panel_stride, panel_base = c / kLanes * panel_stride + k * kLanes;
  const float* const x_tile = f.x + k;
  const float* const dz_tile = f.dz + c / kFoldTileCols * f.dz_tile;
  for (std::uint32_t i = 0; i < f.n_types * kTile; i += kLanes) _mm512_store_ps(a + i, _mm512_setzero_ps());
  for (const FoldSegment *seg = f.segments, *const end = seg + f.n_segments; seg != end; ++seg) {
    __m512 g[KR][NV];
#pragma GCC unroll 16
    for (int r = 0; r < KR; ++r)
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v) g[r][v] = _mm512_setzero_ps();
    const float* x = x_tile + seg->first_row * ldx;
    const float* dz = dz_tile + seg->first_row * lddz;
    const float* const x_end = x + seg->rows * ldx;
    for (; x != x_end; x += ldx, dz += lddz) {
      prefetch_ahead(x, kPrefetchAhead * ldx);
      __m512 d[NV];
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v) d[v] = load_lanes<Full>(v == NV - 1 ? last : __mmask16(0xFFFF), dz + v * kLanes);
#pragma GCC unroll 16
      for (int r = 0; r < KR; ++r) {
        const __m512 xr = _mm512_set1_ps(x[r]);
#pragma GCC unroll 16
        for (int v = 0; v < NV; ++v) g[r][v] = _mm512_fmadd_ps(xr, d[v], g[r][v]);
      }
    }
    const float* p = f.types[seg->type].product + panel_base;
    const float* ws = seg->scenario_weight + panel_base;
    float* dws = seg->scenario_grad + base;
    float* at = a + seg->type * kTile;
#pragma GCC unroll 16
    for (int r = 0; r < KR; ++r, p += kLanes, ws += kLanes, dws += ldw) {
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v) {
        // Panels are zero-padded to whole vectors: whole loads are safe on a partial tile.
        const __mmask16 m = v == NV - 1 ? last : __mmask16(0xFFFF);
        store_lanes<Full>(dws + v * kLanes, m,
                          _mm512_fmadd_ps(g[r][v], _mm512_loadu_ps(p + v * panel_stride),
                                          load_lanes<Full>(m, dws + v * kLanes)));
        float* av = at + (r * NV + v) * kLanes;
        _mm512_store_ps(av, _mm512_fmadd_ps(g[r][v], _mm512_loadu_ps(ws + v * panel_stride), _mm512_load_ps(av)));
      }
    }
  }
  for (std::uint32_t t = 0; t < f.n_types; ++t) {
    const float* w = f.shared + base;
    const float* wt = f.types[t].weight + base;
    float* dw = f.shared_grad + base;
    float* dwt = f.types[t].grad + base;
    const float* at = a + t * kTile;
#pragma GCC unroll 16
    for (int r = 0; r < KR; ++r, w += ldw, wt += ldw, dw += ldw, dwt += ldw) {
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v) {
        const __mmask16 m = v == NV - 1 ? last : __mmask16(0xFFFF);
        const __m512 av = _mm512_load_ps(at + (r * NV + v) * kLanes);
        add_product<Full>(dw + v * kLanes, av, wt + v * kLanes, m);
        add_product<Full>(dwt + v * kLanes, av, w + v * kLanes, m);
      }
    }
  }
}

// The partial depth tile of `rows` < kFoldTileRows rows from k.
template <int NV, bool Full, int KR = kFoldTileRows - 1>
void type_fold_partial_tile(const TypeFoldArgs& f, std::uint32_t rows, std::uint32_t k, std::uint32_t c,
                            __mmask16 last, float* a) {
  if constexpr (KR > 0) {
    if (rows == KR) type_fold_tile<KR, NV, Full>(f, k, c, last, a);
    else type_fold_partial_tile<NV, Full, KR - 1>(f, rows, k, c, last, a);
  }
}

// Every depth tile of the block for the columns from c (NV vectors, the last one's lanes by
// `last`): one column tile's rows of dz stay in L2 while the depth tiles pass over them.
template <int NV, bool Full>
void type_fold_columns(const TypeFoldArgs& f, std::uint32_t c, __mmask16 last, float* a) {
  std::uint32_t k = 0;
  for (; k + kFoldTileRows <= f.depth; k += kFoldTileRows) type_fold_tile<kFoldTileRows, NV, Full>(f, k, c, last, a);
  type_fold_partial_tile<NV, Full>(f, f.depth - k, k, c, last, a);
}

}  // namespace

void gemm(const GemmArgs& g) {
  switch (g.rows) {
    case 0: return;
    case 1: gemm_rows<1>(g); return;
    case 2: gemm_rows<2>(g); return;
    case 3: gemm_rows<3>(g); return;
    case 4: gemm_rows<4>(g); return;
    case 5: gemm_rows<5>(g); return;
    case 6: gemm_rows<6>(g); return;
    case 7: gemm_rows<7>(g); return;
    case 8: gemm_rows<8>(g); return;
    case 9: gemm_rows<9>(g); return;
    case 10: gemm_rows<10>(g); return;
    case 11: gemm_rows<11>(g); return;
    default: gemm_rows<12>(g); return;
  }
}

void type_fold(const TypeFoldArgs& f) {
  if (f.n_types > kMaxFoldTypes) throw std::invalid_argument("type_fold: more than kMaxFoldTypes types in one call");
  alignas(64) float a[kMaxFoldTypes * kFoldTileRows * 2 * kLanes];
  static_assert(kFoldTileCols == 2 * kLanes, "type_fold's column tiles are two vectors");
  std::uint32_t c = 0;
  for (; c + 2 * kLanes <= f.cols; c += 2 * kLanes) type_fold_columns<2, true>(f, c, 0xFFFF, a);
  const std::uint32_t left = f.cols - c;
  if (left > kLanes) type_fold_columns<2, false>(f, c, lanes_mask(left - kLanes), a);
  else if (left > 0) type_fold_columns<1, false>(f, c, lanes_mask(left), a);
}

#else

void gemm(const GemmArgs& g) { portable::gemm(g); }
void type_fold(const TypeFoldArgs& f) { portable::type_fold(f); }

#endif

namespace {

// One row of a panel: out[j] = in[j] (times scale[j] unless scale is null) for j < n <= 16, then
// zeros. In vector registers where the target has them: as loops over pointers that move
// between panels, GCC 12 emitted one scalar load and store per element.
inline void pack_panel_row(const float* in, const float* scale, std::uint32_t n, float* out) {
#if defined(__AVX512F__)
  if (n == kPanelWidth) {  // whole loads: masked ones are slow on some cores (see load_lanes)
    const __m512 v = _mm512_loadu_ps(in);
    _mm512_storeu_ps(out, scale != nullptr ? _mm512_mul_ps(v, _mm512_loadu_ps(scale)) : v);
    return;
  }
  const __mmask16 m = static_cast<__mmask16>((1u << n) - 1u);
  const __m512 v = _mm512_maskz_loadu_ps(m, in);
  _mm512_storeu_ps(out, scale != nullptr ? _mm512_mul_ps(v, _mm512_maskz_loadu_ps(m, scale)) : v);
#else
  for (std::uint32_t j = 0; j < kPanelWidth; ++j)
    out[j] = j < n ? (scale != nullptr ? in[j] * scale[j] : in[j]) : 0.0f;
#endif
}

}  // namespace

void pack_panels(const float* in, std::size_t ld_in, std::uint32_t rows, std::uint32_t cols, float* out,
                 const float* scale) {
  // Row by row, so that the source streams in order; each row feeds every panel.
  const std::size_t panel = std::size_t{rows} * kPanelWidth;
  for (std::uint32_t k = 0; k < rows; ++k) {
    const float* row = in + k * ld_in;
    const float* by = scale != nullptr ? scale + k * ld_in : nullptr;
    float* o = out + std::size_t{k} * kPanelWidth;
    for (std::uint32_t c = 0; c < cols; c += kPanelWidth, o += panel)
      pack_panel_row(row + c, by != nullptr ? by + c : nullptr, std::min(kPanelWidth, cols - c), o);
  }
}

namespace {

#if defined(__AVX512F__)
// The 16 x 16 block of in at (k0, c0), transposed: out row c (16 floats apart) = column c0 + c.
void transpose_block(const float* in, std::size_t ld_in, float* out) {
  // Fully unrolled, so that r and t live in registers: as loops, GCC turned the loads into a
  // call of memcpy onto the stack (the source rows are contiguous when ld_in is 16).
  __m512 r[16], t[16];
#pragma GCC unroll 16
  for (int j = 0; j < 16; ++j) r[j] = _mm512_loadu_ps(in + j * ld_in);
#pragma GCC unroll 4
  for (int i = 0; i < 16; i += 4) {  // 4 x 4 transposes within each 128-bit lane
    t[i] = _mm512_maskz_unpacklo_ps(0xFFFF, r[i], r[i + 1]);
    t[i + 1] = _mm512_maskz_unpackhi_ps(0xFFFF, r[i], r[i + 1]);
    t[i + 2] = _mm512_maskz_unpacklo_ps(0xFFFF, r[i + 2], r[i + 3]);
    t[i + 3] = _mm512_maskz_unpackhi_ps(0xFFFF, r[i + 2], r[i + 3]);
    r[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
    r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
    r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
    r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
  }
  // r[4i + m], lane L: rows 4i..4i+3 of column 4L + m; gather the lanes across row groups.
#pragma GCC unroll 4
  for (int m = 0; m < 4; ++m) {
    const __m512 w0 = _mm512_maskz_shuffle_f32x4(0xFFFF, r[m], r[4 + m], 0x88), w1 = _mm512_maskz_shuffle_f32x4(0xFFFF, r[m], r[4 + m], 0xDD);
    const __m512 w2 = _mm512_maskz_shuffle_f32x4(0xFFFF, r[8 + m], r[12 + m], 0x88),
                 w3 = _mm512_maskz_shuffle_f32x4(0xFFFF, r[8 + m], r[12 + m], 0xDD);
    _mm512_storeu_ps(out + (0 + m) * 16, _mm512_maskz_shuffle_f32x4(0xFFFF, w0, w2, 0x88));
    _mm512_storeu_ps(out + (8 + m) * 16, _mm512_maskz_shuffle_f32x4(0xFFFF, w0, w2, 0xDD));
    _mm512_storeu_ps(out + (4 + m) * 16, _mm512_maskz_shuffle_f32x4(0xFFFF, w1, w3, 0x88));
    _mm512_storeu_ps(out + (12 + m) * 16, _mm512_maskz_shuffle_f32x4(0xFFFF, w1, w3, 0xDD));
  }
}
#endif

}  // namespace

void transpose_panels(const float* panels, std::uint32_t rows, std::uint32_t cols, float* out) {
  // Panel p of in^T holds rows [16p, 16p + 16) of in, one column of in per panel row; the
  // 16 x 16 block of in at (k0, c0) lies in panel c0 / 16 of `panels`, rows 16 floats apart.
  const std::size_t panel = std::size_t{rows} * kPanelWidth;
  for (std::uint32_t k0 = 0; k0 < rows; k0 += kPanelWidth, out += std::size_t{cols} * kPanelWidth) {
    const std::uint32_t height = std::min(kPanelWidth, rows - k0);
    for (std::uint32_t c0 = 0; c0 < cols; c0 += kPanelWidth) {
      const std::uint32_t width = std::min(kPanelWidth, cols - c0);
      const float* in = panels + c0 / kPanelWidth * panel + std::size_t{k0} * kPanelWidth;
#if defined(__AVX512F__)
      if (height == kPanelWidth && width == kPanelWidth) {
        transpose_block(in, kPanelWidth, out + std::size_t{c0} * kPanelWidth);
        continue;
      }
#endif
      for (std::uint32_t c = 0; c < width; ++c) {
        float* o = out + std::size_t{c0 + c} * kPanelWidth;
        std::uint32_t j = 0;
        for (; j < height; ++j) o[j] = in[j * kPanelWidth + c];
        for (; j < kPanelWidth; ++j) o[j] = 0.0f;
      }
    }
  }
}

}  // namespace mmn::product_kernels
