// Max-pool rows, avx512 instantiation (max_pool_kernel.h).
#include "backends/cpu/pool/max_pool_kernel.h"
#include "backends/cpu/simd/ops_avx512.h"

namespace kiln::cpu {

void max_pool_rows_avx512(const MaxPoolParams& p, const float* x, float* y, int64_t row_begin, int64_t row_end) {
  MaxPoolKernel<Avx512Ops>::rows(p, x, y, row_begin, row_end);
}

}  // namespace kiln::cpu
