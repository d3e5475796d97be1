#pragma once
// nvcuda::wmma (CUDA's warp matrix multiply-accumulate, <mma.h> under nvcc) for host compilers:
// the bf16 m16n16k16 and tf32 m16n16k8 shapes with fp32 accumulators, the ones mmn's
// tensor-core kernels use.
//
// What is emulated exactly:
//   - every operation is warp-collective: all 32 lanes must reach it (else a KernelError);
//   - pointers must be 256-bit aligned and ldm a multiple of 16 bytes, as CUDA requires;
//   - a lane holds only its share of an accumulator (its 8 of 256 elements): a store writes that
//     share when the lane gets there, so a missing barrier shows up as a result that depends on
//     the thread order, like any other race;
//   - tf32 operands must already be rounded (wmma::__float_to_tf32); a value with any of its low
//     13 mantissa bits set is a KernelError, since the GPU would ignore those bits;
//   - products of two bf16 or tf32 values are exact in fp32; each output element sums them in k
//     order onto the accumulator in fp32. (The GPU's adder tree sums in another order: tests
//     compare against references with a tolerance on a GPU, and exactly here.)
// An A or B fragment holds the whole tile in every lane (num_elements = the tile's size), so
// element-wise code over x[0, num_elements) means what it means on the GPU.
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "mmn/ops/operand_precision.h"
#include "mmn/sim/bf16.h"
#include "mmn/sim/messages.h"
#include "mmn/sim/runtime.h"
#include "mmn/sim/sync_intrinsics.h"

namespace nvcuda::wmma {

struct matrix_a {};
struct matrix_b {};
struct accumulator {};
struct row_major {};
struct col_major {};
namespace precision {
struct tf32 {};
}  // namespace precision
enum layout_t { mem_row_major, mem_col_major };

inline float __float_to_tf32(float v) { return mmn::round_to_tf32(v); }

namespace detail {

using mmn::sim::detail::Site;

template <class T>
struct element {
  using type = T;
};
template <>
struct element<precision::tf32> {
  using type = float;
};

template <class Use, int M, int N, int K>
struct extent;
template <int M, int N, int K>
struct extent<matrix_a, M, N, K> {
  static constexpr int rows = M, cols = K;
};
template <int M, int N, int K>
struct extent<matrix_b, M, N, K> {
  static constexpr int rows = K, cols = N;
};
template <int M, int N, int K>
struct extent<accumulator, M, N, K> {
  static constexpr int rows = M, cols = N;
};

template <class T, int M, int N, int K>
constexpr bool supported() {
  if constexpr (std::is_same_v<T, precision::tf32>) return M == 16 && N == 16 && K == 8;
  if constexpr (std::is_same_v<T, __nv_bfloat16>) return M == 16 && N == 16 && K == 16;
  if constexpr (std::is_same_v<T, float>) return (M == 16 && N == 16 && (K == 8 || K == 16));
  return false;
}

inline float to_float(float v) { return v; }
inline float to_float(__nv_bfloat16 v) { return __bfloat162float(v); }
template <class E>
E from_float(float v) {
  if constexpr (std::is_same_v<E, __nv_bfloat16>) {
    return __float2bfloat16(v);
  } else {
    return v;
  }
}

inline unsigned lane() {
  const unsigned linear = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  return linear % 32u;
}

[[noreturn]] inline void fail(const char* op, Site site, const std::string& problem) {
  mmn::sim::detail::kernel_fail(std::string("wmma::") + op + " at " + mmn::sim::detail::where(site) + ": " + problem);
}

// Every lane of the warp must arrive: the .sync of the PTX instruction.
inline void converge(const char* op, Site site) {
  mmn::sim::detail::collective(op, site, mmn::sim::detail::Collective::syncwarp, 0, 0xffffffffu, 0);
}

inline void check_memory(const char* op, Site site, const void* p, unsigned ldm, std::size_t element_bytes) {
  if (reinterpret_cast<std::uintptr_t>(p) % 32 != 0)
    fail(op, site, "the pointer is not 256-bit aligned (address mod 32 = " +
                       std::to_string(reinterpret_cast<std::uintptr_t>(p) % 32) + ")");
  if ((ldm * element_bytes) % 16 != 0)
    fail(op, site, "ldm " + std::to_string(ldm) + " is not a multiple of 16 bytes (" +
                       std::to_string(16 / element_bytes) + " elements)");
}

}  // namespace detail

template <class Use, int M, int N, int K, class T, class Layout = void>
class fragment {
  static_assert(detail::supported<T, M, N, K>(), "mmn::sim emulates bf16 m16n16k16 and tf32 m16n16k8 only");

 public:
  using element_type = typename detail::element<T>::type;
  static constexpr int rows = detail::extent<Use, M, N, K>::rows;
  static constexpr int cols = detail::extent<Use, M, N, K>::cols;
  static constexpr bool is_accumulator = std::is_same_v<Use, accumulator>;
  // An accumulator lane holds tile elements [lane * num_elements, (lane + 1) * num_elements),
  // row-major; an A or B lane the whole tile, row-major whatever the memory layout.
  static constexpr int num_elements = is_accumulator ? rows * cols / 32 : rows * cols;
  element_type x[num_elements];
};

template <class Use, int M, int N, int K, class T, class Layout, class V>
void fill_fragment(fragment<Use, M, N, K, T, Layout>& f, const V& v) {
  using E = typename fragment<Use, M, N, K, T, Layout>::element_type;
  for (auto& e : f.x) e = detail::from_float<E>(static_cast<float>(v));
}

template <class Use, int M, int N, int K, class T, class Layout>
void load_matrix_sync(fragment<Use, M, N, K, T, Layout>& f,
                      const typename fragment<Use, M, N, K, T, Layout>::element_type* p, unsigned ldm,
                      const char* mmn_file = __builtin_FILE(), unsigned mmn_line = __builtin_LINE()) {
  using F = fragment<Use, M, N, K, T, Layout>;
  static_assert(!F::is_accumulator, "an accumulator's load names its layout (wmma::mem_row_major or mem_col_major)");
  const detail::Site site{mmn_file, mmn_line};
  detail::converge("wmma::load_matrix_sync", site);
  detail::check_memory("load_matrix_sync", site, p, ldm, sizeof(*p));
  constexpr bool row = std::is_same_v<Layout, row_major>;
  for (int r = 0; r < F::rows; ++r)
    for (int c = 0; c < F::cols; ++c) f.x[r * F::cols + c] = row ? p[r * ldm + c] : p[c * ldm + r];
}

template <int M, int N, int K>
void load_matrix_sync(fragment<accumulator, M, N, K, float>& f, const float* p, unsigned ldm, layout_t layout,
                      const char* mmn_file = __builtin_FILE(), unsigned mmn_line = __builtin_LINE()) {
  using F = fragment<accumulator, M, N, K, float>;
  const detail::Site site{mmn_file, mmn_line};
  detail::converge("wmma::load_matrix_sync", site);
  detail::check_memory("load_matrix_sync", site, p, ldm, sizeof(float));
  const unsigned first = detail::lane() * F::num_elements;
  for (int e = 0; e < F::num_elements; ++e) {
    const unsigned r = (first + e) / F::cols, c = (first + e) % F::cols;
    f.x[e] = layout == mem_row_major ? p[r * ldm + c] : p[c * ldm + r];
  }
}

template <int M, int N, int K>
void store_matrix_sync(float* p, const fragment<accumulator, M, N, K, float>& f, unsigned ldm, layout_t layout,
                       const char* mmn_file = __builtin_FILE(), unsigned mmn_line = __builtin_LINE()) {
  using F = fragment<accumulator, M, N, K, float>;
  const detail::Site site{mmn_file, mmn_line};
  detail::converge("wmma::store_matrix_sync", site);
  detail::check_memory("store_matrix_sync", site, p, ldm, sizeof(float));
  const unsigned first = detail::lane() * F::num_elements;
  for (int e = 0; e < F::num_elements; ++e) {
    const unsigned r = (first + e) / F::cols, c = (first + e) % F::cols;
    (layout == mem_row_major ? p[r * ldm + c] : p[c * ldm + r]) = f.x[e];
  }
}

// d = a b + c for this lane's share of d (d may be c).
template <int M, int N, int K, class T, class LayoutA, class LayoutB>
void mma_sync(fragment<accumulator, M, N, K, float>& d, const fragment<matrix_a, M, N, K, T, LayoutA>& a,
              const fragment<matrix_b, M, N, K, T, LayoutB>& b, const fragment<accumulator, M, N, K, float>& c,
              const char* mmn_file = __builtin_FILE(), unsigned mmn_line = __builtin_LINE()) {
  using F = fragment<accumulator, M, N, K, float>;
  const detail::Site site{mmn_file, mmn_line};
  detail::converge("wmma::mma_sync", site);
  if constexpr (std::is_same_v<T, precision::tf32>) {
    for (int i = 0; i < M * K; ++i)
      if (!mmn::is_tf32_value(a.x[i]))
        detail::fail("mma_sync", site, "matrix_a element (" + std::to_string(i / K) + ", " + std::to_string(i % K) +
                                           ") is not a tf32 value; round it with wmma::__float_to_tf32");
    for (int i = 0; i < K * N; ++i)
      if (!mmn::is_tf32_value(b.x[i]))
        detail::fail("mma_sync", site, "matrix_b element (" + std::to_string(i / N) + ", " + std::to_string(i % N) +
                                           ") is not a tf32 value; round it with wmma::__float_to_tf32");
  }
  const unsigned first = detail::lane() * F::num_elements;
  float out[F::num_elements];
  for (int e = 0; e < F::num_elements; ++e) {
    const unsigned i = (first + e) / N, j = (first + e) % N;
    float sum = c.x[e];
    for (int k = 0; k < K; ++k) sum += detail::to_float(a.x[i * K + k]) * detail::to_float(b.x[k * N + j]);
    out[e] = sum;
  }
  for (int e = 0; e < F::num_elements; ++e) d.x[e] = out[e];
}

}  // namespace nvcuda::wmma
