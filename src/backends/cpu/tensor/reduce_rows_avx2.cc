// AVX2 row reductions (4 x 8 lanes, unaligned loads, scalar tail); compiled with -mavx2, called
// only after cpu_isa() >= kAvx2.
#include <immintrin.h>

#include "backends/cpu/tensor/reduce_rows.h"

namespace kiln::cpu::tensor {

namespace {

template <RowOp Op>
inline __m256 step(__m256 acc, __m256 v) {
  if constexpr (Op == RowOp::kSum) {
    return _mm256_add_ps(acc, v);
  } else {
    // Take v when it is better or NaN; a NaN accumulator then stays NaN (no compare is true).
    const __m256 better = Op == RowOp::kMax ? _mm256_cmp_ps(v, acc, _CMP_GT_OQ) : _mm256_cmp_ps(v, acc, _CMP_LT_OQ);
    const __m256 take = _mm256_or_ps(better, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    return _mm256_blendv_ps(acc, v, take);
  }
}

template <RowOp Op>
float run(const float* p, int64_t n) {
  const float init = Op == RowOp::kSum ? 0.0f : Op == RowOp::kMax ? -__builtin_inff() : __builtin_inff();
  __m256 a0 = _mm256_set1_ps(init), a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    a0 = step<Op>(a0, _mm256_loadu_ps(p + i));
    a1 = step<Op>(a1, _mm256_loadu_ps(p + i + 8));
    a2 = step<Op>(a2, _mm256_loadu_ps(p + i + 16));
    a3 = step<Op>(a3, _mm256_loadu_ps(p + i + 24));
  }
  for (; i + 8 <= n; i += 8) a0 = step<Op>(a0, _mm256_loadu_ps(p + i));
  a0 = step<Op>(a0, a1);
  a2 = step<Op>(a2, a3);
  a0 = step<Op>(a0, a2);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, a0);
  float acc = lanes[0];
  auto combine = [](float a, float v) {
    if constexpr (Op == RowOp::kSum) return a + v;
    else if constexpr (Op == RowOp::kMax) return (v > a || v != v) ? v : a;
    else return (v < a || v != v) ? v : a;
  };
  for (int k = 1; k < 8; ++k) acc = combine(acc, lanes[k]);
  for (; i < n; ++i) acc = combine(acc, p[i]);
  return acc;
}

}  // namespace

float reduce_row_f32_avx2(RowOp op, const float* p, int64_t n) {
  switch (op) {
    case RowOp::kSum: return run<RowOp::kSum>(p, n);
    case RowOp::kMax: return run<RowOp::kMax>(p, n);
    case RowOp::kMin: break;
  }
  return run<RowOp::kMin>(p, n);
}

}  // namespace kiln::cpu::tensor
