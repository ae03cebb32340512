// Max-pool rows, avx2 instantiation (max_pool_kernel.h).
#include "backends/cpu/pool/max_pool_kernel.h"
#include "backends/cpu/simd/ops_avx2.h"

namespace kiln::cpu {

void max_pool_rows_avx2(const MaxPoolParams& p, const float* x, float* y, int64_t row_begin, int64_t row_end) {
  MaxPoolKernel<Avx2Ops>::rows(p, x, y, row_begin, row_end);
}

}  // namespace kiln::cpu
