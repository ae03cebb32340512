// Vector-ops struct for the kernels written once over an ISA (depthwise, Winograd):
// AVX2: 8 floats per ymm; masks are vmaskmov lane masks (slow stores on AMD: whole blocks use plain ones).
// Provides V, M (lane mask), Full (tag: all lanes), kWidth, mask(n), full(), load(p, m) /
// store(p, v, m) for M (never touches lanes >= n) and Full, loadw(p) (full width), set1, zero,
// fma(a, b, c) = a*b + c, add, sub, mul, max, min, select_neg(x, a, b) = x < 0 ? a : b, pin(v) (an
// empty asm that keeps v in a register).
// Include only from files compiled for this ISA (*_avx2.cc); internal linkage per translation unit.
#pragma once

#include <immintrin.h>
#include <cstdint>

namespace kiln::cpu {
namespace {

struct Avx2Ops {
  using V = __m256;
  using M = __m256i;
  static constexpr int64_t kWidth = 8;
  static M mask(int64_t n) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), lanes);
  }
  static V load(const float* p, M m) { return _mm256_maskload_ps(p, m); }
  struct Full {};
  static Full full() { return {}; }
  static V load(const float* p, Full) { return _mm256_loadu_ps(p); }
  static void store(float* p, V v, Full) { _mm256_storeu_ps(p, v); }
  static V loadw(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, V v, M m) { _mm256_maskstore_ps(p, m, v); }
  static void pin(V& v) { asm("" : "+x"(v)); }
  static V set1(float v) { return _mm256_set1_ps(v); }
  static V zero() { return _mm256_setzero_ps(); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V max(V a, V b) { return _mm256_max_ps(a, b); }
  static V min(V a, V b) { return _mm256_min_ps(a, b); }
  static V select_neg(V x, V a, V b) { return _mm256_blendv_ps(b, a, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ)); }
};

}  // namespace
}  // namespace kiln::cpu
