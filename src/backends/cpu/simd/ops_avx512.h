// Vector-ops struct for the kernels written once over an ISA (depthwise, Winograd):
// AVX-512: 16 floats per zmm, k-register masks.
// Provides V, M (lane mask), Full (tag: all lanes), kWidth, mask(n), full(), load(p, m) /
// store(p, v, m) for M (never touches lanes >= n) and Full, loadw(p) (full width), set1, zero,
// fma(a, b, c) = a*b + c, add, sub, mul, max, min, select_neg(x, a, b) = x < 0 ? a : b, pin(v) (an
// empty asm that keeps v in a register).
// Include only from files compiled for this ISA (*_avx512.cc); internal linkage per translation unit.
#pragma once

#include <immintrin.h>
#include <cstdint>

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
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  // The maskz forms: GCC 12's _mm512_max_ps/_mm512_min_ps trip -Wmaybe-uninitialized.
  static V max(V a, V b) { return _mm512_maskz_max_ps(0xFFFF, a, b); }
  static V min(V a, V b) { return _mm512_maskz_min_ps(0xFFFF, a, b); }
  static V select_neg(V x, V a, V b) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ), b, a);
  }
};

}  // namespace
}  // namespace kiln::cpu
