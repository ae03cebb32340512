// 8x8 register transposes of 4-byte elements (AVX2); compiled with -mavx2, called only after
// cpu_isa() >= kAvx2.
#include <immintrin.h>

#include "backends/cpu/tensor/transpose.h"

namespace kiln::cpu::tensor {

namespace {

inline void transpose8x8(const uint32_t* a, int64_t lda, uint32_t* b, int64_t ldb) {
  __m256 r0 = _mm256_castsi256_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 0 * lda)));
  __m256 r1 = _mm256_castsi256_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 1 * lda)));
  __m256 r2 = _mm256_castsi256_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 2 * lda)));
  __m256 r3 = _mm256_castsi256_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 3 * lda)));
  __m256 r4 = _mm256_castsi256_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 4 * lda)));
  __m256 r5 = _mm256_castsi256_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 5 * lda)));
  __m256 r6 = _mm256_castsi256_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 6 * lda)));
  __m256 r7 = _mm256_castsi256_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 7 * lda)));
  __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  __m256 o[8] = {_mm256_permute2f128_ps(s0, s4, 0x20), _mm256_permute2f128_ps(s1, s5, 0x20),
                 _mm256_permute2f128_ps(s2, s6, 0x20), _mm256_permute2f128_ps(s3, s7, 0x20),
                 _mm256_permute2f128_ps(s0, s4, 0x31), _mm256_permute2f128_ps(s1, s5, 0x31),
                 _mm256_permute2f128_ps(s2, s6, 0x31), _mm256_permute2f128_ps(s3, s7, 0x31)};
  for (int i = 0; i < 8; ++i) _mm256_storeu_si256(reinterpret_cast<__m256i*>(b + i * ldb), _mm256_castps_si256(o[i]));
}

}  // namespace

void transpose_interleave3_4byte_avx2(const uint32_t* a, int64_t lda, uint32_t* b, int64_t cols) {
  // 8 columns of the 3 rows x, y, z -> 24 outputs x0 y0 z0 x1 y1 z1 ...: each output vector
  // gathers its lanes from the three rows with one permute per row and two blends.
  const __m256i px0 = _mm256_setr_epi32(0, 0, 0, 1, 0, 0, 2, 0), py0 = _mm256_setr_epi32(0, 0, 0, 0, 1, 0, 0, 2),
                pz0 = _mm256_setr_epi32(0, 0, 0, 0, 0, 1, 0, 0);
  const __m256i px1 = _mm256_setr_epi32(0, 3, 0, 0, 4, 0, 0, 5), py1 = _mm256_setr_epi32(0, 0, 3, 0, 0, 4, 0, 0),
                pz1 = _mm256_setr_epi32(2, 0, 0, 3, 0, 0, 4, 0);
  const __m256i px2 = _mm256_setr_epi32(0, 0, 6, 0, 0, 7, 0, 0), py2 = _mm256_setr_epi32(5, 0, 0, 6, 0, 0, 7, 0),
                pz2 = _mm256_setr_epi32(0, 5, 0, 0, 6, 0, 0, 7);
  const uint32_t* x = a;
  const uint32_t* y = a + lda;
  const uint32_t* z = a + 2 * lda;
  int64_t j = 0;
  for (; j + 8 <= cols; j += 8) {
    const __m256 vx = _mm256_castsi256_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + j)));
    const __m256 vy = _mm256_castsi256_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(y + j)));
    const __m256 vz = _mm256_castsi256_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(z + j)));
    // Lane i of output k comes from row (i + k*8) % 3: blend masks pick y (bits) then z.
    const __m256 o0 = _mm256_blend_ps(_mm256_blend_ps(_mm256_permutevar8x32_ps(vx, px0), _mm256_permutevar8x32_ps(vy, py0), 0x92),
                                      _mm256_permutevar8x32_ps(vz, pz0), 0x24);
    const __m256 o1 = _mm256_blend_ps(_mm256_blend_ps(_mm256_permutevar8x32_ps(vx, px1), _mm256_permutevar8x32_ps(vy, py1), 0x24),
                                      _mm256_permutevar8x32_ps(vz, pz1), 0x49);
    const __m256 o2 = _mm256_blend_ps(_mm256_blend_ps(_mm256_permutevar8x32_ps(vx, px2), _mm256_permutevar8x32_ps(vy, py2), 0x49),
                                      _mm256_permutevar8x32_ps(vz, pz2), 0x92);
    uint32_t* out = b + 3 * j;
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_castps_si256(o0));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8), _mm256_castps_si256(o1));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 16), _mm256_castps_si256(o2));
  }
  if (j < cols) transpose_interleave3_4byte_scalar(a + j, lda, b + 3 * j, cols - j);
}

void transpose_tile_4byte_avx2(const uint32_t* a, int64_t lda, uint32_t* b, int64_t ldb, int64_t rows, int64_t cols) {
  const int64_t r8 = rows & ~int64_t{7}, c8 = cols & ~int64_t{7};
  for (int64_t j = 0; j < c8; j += 8) {
    for (int64_t i = 0; i < r8; i += 8) transpose8x8(a + i * lda + j, lda, b + j * ldb + i, ldb);
  }
  // Ragged edges: plain element copies (never read past the tile).
  if (r8 < rows) transpose_tile_4byte_scalar(a + r8 * lda, lda, b + r8, ldb, rows - r8, c8);
  if (c8 < cols) transpose_tile_4byte_scalar(a + c8, lda, b + c8 * ldb, ldb, rows, cols - c8);
}

}  // namespace kiln::cpu::tensor
