// AVX2 instantiation of the element-wise kernels (compiled with -mavx2 -mfma).
#include <immintrin.h>

#include "backends/cpu/elementwise/kernels.h"

namespace kiln::cpu::elementwise::avx2 {

struct V {
  using R = __m256;
  using M = __m256;  // all-ones lanes where true
  static constexpr int64_t N = 8;

  static __m256i tail(int64_t n) {  // lanes [0, n) set, n < 8
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static R load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, R v) { _mm256_storeu_ps(p, v); }
  // Masked: lanes past n are neither read nor written (vmaskmov does not fault on them).
  static R load_n(const float* p, int64_t n) { return _mm256_maskload_ps(p, tail(n)); }
  static void store_n(float* p, R v, int64_t n) { _mm256_maskstore_ps(p, tail(n), v); }
  static R set1(float x) { return _mm256_set1_ps(x); }
  static R add(R a, R b) { return _mm256_add_ps(a, b); }
  static R sub(R a, R b) { return _mm256_sub_ps(a, b); }
  static R mul(R a, R b) { return _mm256_mul_ps(a, b); }
  static R div(R a, R b) { return _mm256_div_ps(a, b); }
  static R fmadd(R a, R b, R c) { return _mm256_fmadd_ps(a, b, c); }
  static R max(R a, R b) { return _mm256_max_ps(a, b); }  // b when either is NaN or a == b
  static R min(R a, R b) { return _mm256_min_ps(a, b); }
  static R sqrt(R a) { return _mm256_sqrt_ps(a); }
  static R floor(R a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
  static R ceil(R a) { return _mm256_round_ps(a, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC); }
  static R round(R a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static R abs(R a) { return _mm256_and_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff))); }
  static R neg(R a) { return _mm256_xor_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32(INT32_MIN))); }
  static M lt(R a, R b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static M gt(R a, R b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static M eq(R a, R b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
  static M isnan(R a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
  static R select(M m, R t, R f) { return _mm256_blendv_ps(f, t, m); }
  static R pow2i(R n) {  // integral n in [-126, 127]
    const __m256i i = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
    return _mm256_castsi256_ps(_mm256_slli_epi32(i, 23));
  }
  static R exponent(R x) {  // normal x > 0
    const __m256i e = _mm256_srli_epi32(_mm256_castps_si256(x), 23);
    return _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_and_si256(e, _mm256_set1_epi32(0xff)), _mm256_set1_epi32(127)));
  }
  static R mantissa(R x) {
    const __m256i m = _mm256_and_si256(_mm256_castps_si256(x), _mm256_set1_epi32(0x007fffff));
    return _mm256_castsi256_ps(_mm256_or_si256(m, _mm256_set1_epi32(0x3f800000)));
  }
};

}  // namespace kiln::cpu::elementwise::avx2

#define KILN_EW_NS avx2
#include "backends/cpu/elementwise/kernels_impl.h"
#undef KILN_EW_NS

namespace kiln::cpu::elementwise {
const KernelTable& kernel_table_avx2() { return avx2::kTable; }
}  // namespace kiln::cpu::elementwise
