#include "mmn/ops/blas.h"

#include <cblas.h>
#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "mmn/ops/blas_core.h"

#ifndef MMN_OPENBLAS_LIBRARY
#define MMN_OPENBLAS_LIBRARY "libopenblas.so.0"
#endif

namespace mmn::blas {
namespace {

struct OpenBlas {
  decltype(&cblas_sgemm) sgemm = nullptr;
  LibraryInfo info;
};

template <typename Function>
Function symbol(void* library, const char* name) {
  return reinterpret_cast<Function>(dlsym(library, name));
}

OpenBlas load() {
  OpenBlas blas;
  const CpuSimd cpu = detect_cpu_simd();
  const char* user_core = std::getenv("OPENBLAS_CORETYPE");
  const std::optional<std::string> forced = core_to_force(user_core, cpu);
  blas.info.core_chosen_by = forced ? "mmn" : (user_core != nullptr && *user_core != '\0') ? "OPENBLAS_CORETYPE" : "OpenBLAS";
  // OpenBLAS reads OPENBLAS_CORETYPE once, while it is being loaded.
  if (forced) setenv("OPENBLAS_CORETYPE", forced->c_str(), 1);

  const std::vector<std::string> candidates = {MMN_OPENBLAS_LIBRARY, "libopenblas.so.0", "libopenblas.so"};
  void* library = nullptr;
  std::string errors;
  for (const std::string& name : candidates) {
    library = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (library != nullptr) break;
    const char* error = dlerror();
    errors += fmt::format("\n  {}: {}", name, error != nullptr ? error : "not loaded");
  }
  if (library == nullptr) throw std::runtime_error("cannot load OpenBLAS; tried:" + errors);

  blas.sgemm = symbol<decltype(&cblas_sgemm)>(library, "cblas_sgemm");
  const auto set_threads = symbol<void (*)(int)>(library, "openblas_set_num_threads");
  if (blas.sgemm == nullptr || set_threads == nullptr)
    throw std::runtime_error("the loaded OpenBLAS lacks cblas_sgemm or openblas_set_num_threads");
  set_threads(1);

  Dl_info where{};
  blas.info.path = dladdr(reinterpret_cast<void*>(blas.sgemm), &where) != 0 && where.dli_fname != nullptr
                       ? where.dli_fname
                       : candidates.front();
  const auto corename = symbol<char* (*)()>(library, "openblas_get_corename");
  const auto config = symbol<char* (*)()>(library, "openblas_get_config");
  blas.info.core = corename != nullptr ? corename() : "unknown";
  blas.info.config = config != nullptr ? config() : "unknown";
  blas.info.cpu_simd = to_string(cpu.level);
  blas.info.warning = core_warning(blas.info.core, cpu);
  if (!blas.info.warning.empty()) fmt::print(stderr, "mmn: warning: {}\n", blas.info.warning);
  return blas;
}

const OpenBlas& openblas() {
  static const OpenBlas loaded = load();
  return loaded;
}

}  // namespace

void use_single_thread() { openblas(); }

const LibraryInfo& library_info() { return openblas().info; }

const char* configured_library() { return MMN_OPENBLAS_LIBRARY; }

void sgemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
           int ldb, float beta, float* c, int ldc) {
  if (m == 0 || n == 0) return;
  openblas().sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k,
                   alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace mmn::blas
