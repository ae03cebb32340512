// AVX2 depthwise rows: 8 channels per ymm; only the C % 8 tail uses vmaskmov loads/stores (slow
// stores on AMD), whole blocks use plain ones.
#include "backends/cpu/depthwise/depthwise_kernel.h"
#include "backends/cpu/simd/ops_avx2.h"

namespace kiln::cpu {

void depthwise_rows_avx2(const DwParams& p, const float* x, const float* z, float* y, int64_t row_begin,
                         int64_t row_end) {
  DwKernel<Avx2Ops>::rows(p, x, z, y, row_begin, row_end);
}

}  // namespace kiln::cpu
