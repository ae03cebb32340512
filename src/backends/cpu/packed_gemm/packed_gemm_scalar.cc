// The packed GEMM, scalar instantiation (packed_gemm_kernel.h).
#include "backends/cpu/simd/ops_scalar.h"
#include "backends/cpu/packed_gemm/packed_gemm_kernel.h"

namespace kiln::cpu {

void packed_gemm_scalar(int64_t m, const float* a, int64_t lda, const PackedGemmB& b, float* c, int64_t ldc,
                      const PackedGemmEpilogue& ep, void* scratch) {
  packed_gemm_run<ScalarOps>(m, a, lda, b, c, ldc, ep, scratch);
}

}  // namespace kiln::cpu
