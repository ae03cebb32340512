// The max-pool row kernel (max_pool.h), written once over a vector-ops struct A
// (simd/ops_<isa>.h) and instantiated in max_pool_<isa>.cc. Internal linkage per translation unit.
#pragma once

#include <limits>

#include "backends/cpu/pool/max_pool.h"

namespace kiln::cpu {
namespace {

template <class A>
struct MaxPoolKernel {
  using V = typename A::V;

  // One output pixel over channels [c0, c0 + kWidth) (masked by m) from the clamped window.
  template <class MM>
  static inline void pixel(const MaxPoolParams& p, const float* xn, float* out, int64_t ky_lo, int64_t ky_hi,
                           int64_t ih0, int64_t kx_lo, int64_t kx_hi, int64_t iw0, int64_t c0, MM m) {
    V acc = A::set1(-std::numeric_limits<float>::infinity());
    for (int64_t ky = ky_lo; ky < ky_hi; ++ky) {
      const float* row = xn + (ih0 + ky * p.dh) * p.w * p.c + c0;
      for (int64_t kx = kx_lo; kx < kx_hi; ++kx) acc = A::max(acc, A::load(row + (iw0 + kx * p.dw) * p.c, m));
    }
    A::store(out + c0, acc, m);
  }

  static void rows(const MaxPoolParams& p, const float* x, float* y, int64_t row_begin, int64_t row_end) {
    for (int64_t r = row_begin; r < row_end; ++r) {
      const int64_t n = r / p.oh, oh = r % p.oh, ih0 = oh * p.sh - p.pt;
      int64_t ky_lo = 0, ky_hi = p.kh;
      while (ky_lo < ky_hi && ih0 + ky_lo * p.dh < 0) ++ky_lo;
      while (ky_hi > ky_lo && ih0 + (ky_hi - 1) * p.dh >= p.h) --ky_hi;
      const float* xn = x + n * p.h * p.w * p.c;
      for (int64_t ow = 0; ow < p.ow; ++ow) {
        const int64_t iw0 = ow * p.sw - p.pl;
        int64_t kx_lo = 0, kx_hi = p.kw;
        while (kx_lo < kx_hi && iw0 + kx_lo * p.dw < 0) ++kx_lo;
        while (kx_hi > kx_lo && iw0 + (kx_hi - 1) * p.dw >= p.w) --kx_hi;
        // Every channel block of this pixel before the next: its window (kh x kw x C floats)
        // stays in L1 across the blocks.
        float* out = y + (r * p.ow + ow) * p.c;
        int64_t c0 = 0;
        for (; c0 + A::kWidth <= p.c; c0 += A::kWidth) pixel(p, xn, out, ky_lo, ky_hi, ih0, kx_lo, kx_hi, iw0, c0, A::full());
        if (c0 < p.c) pixel(p, xn, out, ky_lo, ky_hi, ih0, kx_lo, kx_hi, iw0, c0, A::mask(p.c - c0));
      }
    }
  }
};

}  // namespace
}  // namespace kiln::cpu
