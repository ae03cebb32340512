// AVX-512 depthwise rows: 16 channels per zmm, masked loads/stores for the C % 16 tail.
#include "backends/cpu/depthwise/depthwise_kernel.h"
#include "backends/cpu/simd/ops_avx512.h"

namespace kiln::cpu {

void depthwise_rows_avx512(const DwParams& p, const float* x, const float* z, float* y, int64_t row_begin,
                           int64_t row_end) {
  DwKernel<Avx512Ops>::rows(p, x, z, y, row_begin, row_end);
}

}  // namespace kiln::cpu
