// AVX2 kiln.PointwiseDepthwise rows (8 channels per ymm; C is a multiple of 8).
#include "backends/cpu/pointwise_depthwise/pointwise_depthwise_kernel.h"
#include "backends/cpu/simd/ops_avx2.h"

namespace kiln::cpu {

void pwdw_rows_avx2(const PwDwParams& p, const float* x, const float* z, float* y, int64_t r0, int64_t r1,
                    float* ring) {
  PwDwKernel<Avx2Ops>::rows(p, x, z, y, r0, r1, ring);
}

}  // namespace kiln::cpu
