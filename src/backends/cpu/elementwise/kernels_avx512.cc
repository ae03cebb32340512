// AVX-512 instantiation of the element-wise kernels (compiled with -mavx512f/bw/dq/vl -mfma).
// GCC 12 reports the intrinsics' own _mm512_undefined_* placeholders as maybe-uninitialized.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "backends/cpu/elementwise/kernels.h"

namespace kiln::cpu::elementwise::avx512 {

struct V {
  using R = __m512;
  using M = __mmask16;
  static constexpr int64_t N = 16;

  static M tail(int64_t n) { return static_cast<M>((1u << n) - 1u); }  // n < 16
  static R load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, R v) { _mm512_storeu_ps(p, v); }
  // Masked: lanes past n are neither read nor written.
  static R load_n(const float* p, int64_t n) { return _mm512_maskz_loadu_ps(tail(n), p); }
  static void store_n(float* p, R v, int64_t n) { _mm512_mask_storeu_ps(p, tail(n), v); }
  static R set1(float x) { return _mm512_set1_ps(x); }
  static R add(R a, R b) { return _mm512_add_ps(a, b); }
  static R sub(R a, R b) { return _mm512_sub_ps(a, b); }
  static R mul(R a, R b) { return _mm512_mul_ps(a, b); }
  static R div(R a, R b) { return _mm512_div_ps(a, b); }
  static R fmadd(R a, R b, R c) { return _mm512_fmadd_ps(a, b, c); }
  static R max(R a, R b) { return _mm512_max_ps(a, b); }  // b when either is NaN or a == b
  static R min(R a, R b) { return _mm512_min_ps(a, b); }
  static R sqrt(R a) { return _mm512_sqrt_ps(a); }
  static R floor(R a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
  static R ceil(R a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC); }
  static R round(R a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static R abs(R a) { return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(a), _mm512_set1_epi32(0x7fffffff))); }
  static R neg(R a) { return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a), _mm512_set1_epi32(INT32_MIN))); }
  static M lt(R a, R b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static M gt(R a, R b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static M eq(R a, R b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
  static M isnan(R a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
  static R select(M m, R t, R f) { return _mm512_mask_blend_ps(m, f, t); }
  // 2^n for integral n in [-126, 127].
  static R pow2i(R n) {
    const __m512i i = _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127));
    return _mm512_castsi512_ps(_mm512_slli_epi32(i, 23));
  }
  // For normal x > 0: floor(log2 x) and x / 2^that in [1, 2).
  static R exponent(R x) { return _mm512_getexp_ps(x); }
  static R mantissa(R x) { return _mm512_getmant_ps(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero); }
};

}  // namespace kiln::cpu::elementwise::avx512

#define KILN_EW_NS avx512
#include "backends/cpu/elementwise/kernels_impl.h"
#undef KILN_EW_NS

namespace kiln::cpu::elementwise {
const KernelTable& kernel_table_avx512() { return avx512::kTable; }
}  // namespace kiln::cpu::elementwise
