// The packed GEMM's B packing, scratch size, ISA dispatch and path preference (packed_gemm.h);
// the GEMM itself is packed_gemm_kernel.h.
#include "backends/cpu/packed_gemm/packed_gemm.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

namespace kiln::cpu {

namespace {
std::atomic<int64_t> g_runs{0};
std::atomic<int> g_preference{-1};
}  // namespace

PackedGemmB PackedGemmB::pack(const float* b, int64_t k, int64_t n, int64_t stride_k, int64_t stride_n) {
  constexpr int64_t kNr = kPackedGemmNr, kKc = kPackedGemmKc;
  PackedGemmB p;
  p.k_ = k;
  p.n_ = n;
  p.panels_ = (n + kNr - 1) / kNr;
  p.kblocks_ = (k + kKc - 1) / kKc;
  p.data_ = Tensor(DType::kFloat32, {p.panels_ * p.kblocks_ * kKc * kNr});  // zero-filled
  float* d = p.data_.data<float>();
  for (int64_t pn = 0; pn < p.panels_; ++pn) {
    const int64_t n0 = pn * kNr, nr = std::min(kNr, n - n0);
    for (int64_t kk = 0; kk < k; ++kk) {
      float* row = d + (pn * p.kblocks_ + kk / kKc) * kKc * kNr + (kk % kKc) * kNr;
      for (int64_t j = 0; j < nr; ++j) row[j] = b[kk * stride_k + (n0 + j) * stride_n];
    }
  }
  return p;
}

size_t packed_gemm_scratch_bytes(int64_t m, int64_t k, int threads) {
  const int64_t floats = packed_gemm_a_floats(m, k) + std::max(1, threads) * packed_gemm_strip_floats(m);
  return static_cast<size_t>(floats) * sizeof(float);
}

void packed_gemm(int64_t m, const float* a, int64_t lda, const PackedGemmB& b, float* c, int64_t ldc,
                 const PackedGemmEpilogue& ep, void* scratch, Isa isa) {
  g_runs.fetch_add(1, std::memory_order_relaxed);
  if (m <= 0 || b.n() <= 0) return;
  if (isa == Isa::kScalar) {
    packed_gemm_scalar(m, a, lda, b, c, ldc, ep, scratch);
  } else {
    packed_gemm_avx2(m, a, lda, b, c, ldc, ep, scratch);
  }
}

bool packed_gemm_preferred() {
  static const bool by_default = [] {
    if (const char* v = std::getenv("KILN_PACKED_GEMM"); v && *v) return std::strcmp(v, "0") != 0;
    return cpu_isa() == Isa::kAvx2;
  }();
  const int mode = g_preference.load(std::memory_order_relaxed);
  return mode < 0 ? by_default : mode != 0;
}

void set_packed_gemm_preference(int mode) { g_preference.store(mode < 0 ? -1 : mode != 0, std::memory_order_relaxed); }

int64_t packed_gemm_runs() { return g_runs.load(std::memory_order_relaxed); }

}  // namespace kiln::cpu
