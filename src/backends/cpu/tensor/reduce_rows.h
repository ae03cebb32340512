// Row reductions of float32 (sum / max / min of n contiguous values): the innermost-axis fast
// path of the Reduce* kernels, with an AVX2 variant. Max/Min propagate NaN like the reference.
#pragma once

#include <cstdint>

namespace kiln::cpu::tensor {

enum class RowOp { kSum, kMax, kMin };

float reduce_row_f32_scalar(RowOp op, const float* p, int64_t n);
float reduce_row_f32_avx2(RowOp op, const float* p, int64_t n);
// Picks the variant cpu_isa() allows.
float reduce_row_f32(RowOp op, const float* p, int64_t n);

}  // namespace kiln::cpu::tensor
