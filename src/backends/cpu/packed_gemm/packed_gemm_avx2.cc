// The packed GEMM, avx2 instantiation (packed_gemm_kernel.h).
#include "backends/cpu/simd/ops_avx2.h"
#include "backends/cpu/packed_gemm/packed_gemm_kernel.h"

namespace kiln::cpu {

void packed_gemm_avx2(int64_t m, const float* a, int64_t lda, const PackedGemmB& b, float* c, int64_t ldc,
                      const PackedGemmEpilogue& ep, void* scratch) {
  packed_gemm_run<Avx2Ops>(m, a, lda, b, c, ldc, ep, scratch);
}

}  // namespace kiln::cpu
