// kiln.Aipp rows with AVX2 arithmetic: 8 pixels per step for the integer CSC (mullo/srai/clamp)
// and the normalise + store (cvt + FMA). Compiled with -mavx2 -mfma; called only when
// cpu_isa() >= kAvx2.
#include <immintrin.h>

#include "backends/cpu/aipp/aipp_rows.h"

namespace kiln::cpu {

namespace {

using aipp_detail::Chunk;
using aipp_detail::ScalarStages;

struct Avx2Stages {
  static void csc(const AippPlan& p, Chunk& ch, int64_t n) {
    __m256i m[9];
    for (int k = 0; k < 9; ++k) m[k] = _mm256_set1_epi32(p.matrix[k]);
    const __m256i b0 = _mm256_set1_epi32(p.bias[0]), b1 = _mm256_set1_epi32(p.bias[1]), b2 = _mm256_set1_epi32(p.bias[2]);
    const __m256i zero = _mm256_setzero_si256(), max = _mm256_set1_epi32(255);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      __m256i a = _mm256_load_si256(reinterpret_cast<const __m256i*>(ch.c[0] + i));
      __m256i b = _mm256_load_si256(reinterpret_cast<const __m256i*>(ch.c[1] + i));
      __m256i c = _mm256_load_si256(reinterpret_cast<const __m256i*>(ch.c[2] + i));
      if (p.yuv_csc) a = _mm256_sub_epi32(a, b0), b = _mm256_sub_epi32(b, b1), c = _mm256_sub_epi32(c, b2);
      const __m256i bias[3] = {b0, b1, b2};
      for (int k = 0; k < 3; ++k) {
        __m256i v = _mm256_add_epi32(_mm256_add_epi32(_mm256_mullo_epi32(m[3 * k], a), _mm256_mullo_epi32(m[3 * k + 1], b)),
                                     _mm256_mullo_epi32(m[3 * k + 2], c));
        v = _mm256_srai_epi32(v, 8);
        if (!p.yuv_csc) v = _mm256_add_epi32(v, bias[k]);
        v = _mm256_min_epi32(_mm256_max_epi32(v, zero), max);
        _mm256_store_si256(reinterpret_cast<__m256i*>(ch.c[k] + i), v);
      }
    }
    ScalarStages::csc(p, ch, n, i);
  }

  static void store(const AippPlan& p, const Chunk& ch, int64_t n, float* out, int64_t oy, int64_t ox) {
    int64_t i = 0;
    if (!p.channels_last) {
      for (int64_t c = 0; c < p.c; ++c) {
        const __m256 scale = _mm256_set1_ps(p.scale[c]), offset = _mm256_set1_ps(p.offset[c]);
        float* dst = out + (c * p.h + oy) * p.w + ox;
        for (i = 0; i + 8 <= n; i += 8) {
          const __m256 v = _mm256_cvtepi32_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(ch.c[c] + i)));
          _mm256_storeu_ps(dst + i, _mm256_fmadd_ps(v, scale, offset));
        }
      }
    } else if (p.c == 3) {
      // Normalise 8 pixels per channel, then interleave through a small buffer.
      const __m256 s0 = _mm256_set1_ps(p.scale[0]), s1 = _mm256_set1_ps(p.scale[1]), s2 = _mm256_set1_ps(p.scale[2]);
      const __m256 o0 = _mm256_set1_ps(p.offset[0]), o1 = _mm256_set1_ps(p.offset[1]), o2 = _mm256_set1_ps(p.offset[2]);
      float* dst = out + (oy * p.w + ox) * 3;
      alignas(32) float t[3][8];
      for (; i + 8 <= n; i += 8) {
        auto load = [&](int c) { return _mm256_cvtepi32_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(ch.c[c] + i))); };
        _mm256_store_ps(t[0], _mm256_fmadd_ps(load(0), s0, o0));
        _mm256_store_ps(t[1], _mm256_fmadd_ps(load(1), s1, o1));
        _mm256_store_ps(t[2], _mm256_fmadd_ps(load(2), s2, o2));
        for (int j = 0; j < 8; ++j) {
          dst[(i + j) * 3 + 0] = t[0][j];
          dst[(i + j) * 3 + 1] = t[1][j];
          dst[(i + j) * 3 + 2] = t[2][j];
        }
      }
    }
    // Remaining pixels (and channels-last C = 1 or 4) on the scalar path.
    ScalarStages::store(p, ch, n, out, oy, ox, p.channels_last && p.c != 3 ? 0 : i);
  }
};

}  // namespace

void aipp_rows_avx2(const AippPlan& plan, const uint8_t* image, float* out, int64_t row_begin, int64_t row_end) {
  aipp_detail::rows<Avx2Stages>(plan, image, out, row_begin, row_end);
}

void aipp_crop_rows_avx2(const AippPlan& plan, const uint8_t* image, uint8_t* planes, int64_t row_begin, int64_t row_end) {
  aipp_detail::crop_rows<Avx2Stages>(plan, image, planes, row_begin, row_end);
}

}  // namespace kiln::cpu
