// AVX-512 depthwise rows: 16 channels per zmm, masked loads/stores for the C % 16 tail.
#include <immintrin.h>

#include "backends/cpu/depthwise/depthwise_kernel.h"

namespace kiln::cpu {
namespace {

struct Avx512Ops {
  using V = __m512;
  using M = __mmask16;
  static constexpr int64_t kWidth = 16;
  static M mask(int64_t n) { return static_cast<M>(n >= 16 ? 0xFFFF : (1u << n) - 1); }
  static V load(const float* p, M m) { return _mm512_maskz_loadu_ps(m, p); }
  struct Full {};
  static Full full() { return {}; }
  static V load(const float* p, Full) { return _mm512_loadu_ps(p); }
  static void store(float* p, V v, Full) { _mm512_storeu_ps(p, v); }
  static V loadw(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, V v, M m) { _mm512_mask_storeu_ps(p, m, v); }
  static void pin(V& v) { asm("" : "+v"(v)); }
  static V set1(float v) { return _mm512_set1_ps(v); }
  static V zero() { return _mm512_setzero_ps(); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  // The maskz forms: GCC 12's _mm512_max_ps/_mm512_min_ps trip -Wmaybe-uninitialized.
  static V max(V a, V b) { return _mm512_maskz_max_ps(0xFFFF, a, b); }
  static V min(V a, V b) { return _mm512_maskz_min_ps(0xFFFF, a, b); }
  static V select_neg(V x, V a, V b) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ), b, a);
  }
};

}  // namespace

void depthwise_rows_avx512(const DwParams& p, const float* x, const float* z, float* y, int64_t row_begin,
                           int64_t row_end) {
  DwKernel<Avx512Ops>::rows(p, x, z, y, row_begin, row_end);
}

}  // namespace kiln::cpu
