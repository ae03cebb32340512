// Scalar kiln.PointwiseDepthwise rows, for CPUs without AVX2 (and the tests' cross-check).
#include "backends/cpu/pointwise_depthwise/pointwise_depthwise_kernel.h"
#include "backends/cpu/simd/ops_scalar.h"

namespace kiln::cpu {

void pwdw_rows_scalar(const PwDwParams& p, const float* x, const float* z, float* y, int64_t r0, int64_t r1,
                      float* ring) {
  PwDwKernel<ScalarOps>::rows(p, x, z, y, r0, r1, ring);
}

}  // namespace kiln::cpu
