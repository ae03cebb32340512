// AVX-512 kiln.PointwiseDepthwise rows (16 channels per zmm; C is a multiple of 16).
#include "backends/cpu/pointwise_depthwise/pointwise_depthwise_kernel.h"
#include "backends/cpu/simd/ops_avx512.h"

namespace kiln::cpu {

void pwdw_rows_avx512(const PwDwParams& p, const float* x, const float* z, float* y, int64_t r0, int64_t r1,
                      float* ring) {
  PwDwKernel<Avx512Ops>::rows(p, x, z, y, r0, r1, ring);
}

}  // namespace kiln::cpu
