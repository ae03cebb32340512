// Portable depthwise rows (one channel per "vector"): the fallback without AVX2, and a second
// implementation the tests compare against.
#include "backends/cpu/depthwise/depthwise_kernel.h"
#include "backends/cpu/simd/ops_scalar.h"

namespace kiln::cpu {

void depthwise_rows_scalar(const DwParams& p, const float* x, const float* z, float* y, int64_t row_begin,
                           int64_t row_end) {
  DwKernel<ScalarOps>::rows(p, x, z, y, row_begin, row_end);
}

}  // namespace kiln::cpu
