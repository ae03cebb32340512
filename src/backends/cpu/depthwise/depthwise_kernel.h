// The depthwise row kernel, written once over a vector-ops struct A (simd/ops_<isa>.h: AVX-512,
// AVX2 or scalar) and instantiated in depthwise_<isa>.cc, each compiled for its ISA. Packed
// weights are padded to kDwChannelPad lanes, so A::loadw reads them at full width.
// Included only by those files: everything here has internal linkage per translation unit.
#pragma once

#include <algorithm>

#include "backends/cpu/depthwise/depthwise.h"
#include "backends/cpu/simd/epilogue.h"

namespace kiln::cpu {
namespace {

template <class A>
struct DwKernel {
  using V = typename A::V;
  using M = typename A::M;

  // bias + z + activation, then store.
  template <class MM>
  static inline void finish(const DwParams& p, V acc, const float* z, float* y, MM m) {
    if (z) acc = A::add(acc, A::load(z, m));
    acc = activate<A>(p.act, acc);
    A::store(y, acc, m);
  }

  // One output pixel with its kernel window clamped to the input (edges, and rows near padding).
  template <class MM>
  static inline void pixel(const DwParams& p, const float* xn, const float* zrow, float* yrow, int64_t ih0,
                           int64_t ky_lo, int64_t ky_hi, int64_t ow, int64_t c0, MM m) {
    const int64_t c = p.c;
    const int64_t iw0 = ow * p.sw - p.pl;
    int64_t kx_lo = 0, kx_hi = p.kw;
    while (kx_lo < kx_hi && iw0 + kx_lo * p.dw < 0) ++kx_lo;
    while (kx_hi > kx_lo && iw0 + (kx_hi - 1) * p.dw >= p.w) --kx_hi;
    V acc = A::loadw(p.bias + c0);
    for (int64_t ky = ky_lo; ky < ky_hi; ++ky) {
      const float* xr = xn + (ih0 + ky * p.dh) * p.w * c + c0;
      const float* wr = p.weights + ky * p.kw * p.cp + c0;
      for (int64_t kx = kx_lo; kx < kx_hi; ++kx) {
        acc = A::fma(A::load(xr + (iw0 + kx * p.dw) * c, m), A::loadw(wr + kx * p.cp), acc);
      }
    }
    finish(p, acc, zrow ? zrow + ow * c + c0 : nullptr, yrow + ow * c + c0, m);
  }

  // T interior outputs starting at ow, any kernel width / stride / dilation: one weight load feeds
  // T FMAs whose input operands come straight from memory.
  template <int T, class MM>
  static inline void block_generic(const DwParams& p, const float* xn, const float* zrow, float* yrow,
                                   int64_t ih0, int64_t ky_lo, int64_t ky_hi, int64_t ow, int64_t c0, MM m) {
    const int64_t c = p.c, step = p.sw * c;
    V acc[T];
    const V b = A::loadw(p.bias + c0);
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t) acc[t] = b;
    for (int64_t ky = ky_lo; ky < ky_hi; ++ky) {
      const float* xr = xn + (ih0 + ky * p.dh) * p.w * c + (ow * p.sw - p.pl) * c + c0;
      const float* wr = p.weights + ky * p.kw * p.cp + c0;
      for (int64_t kx = 0; kx < p.kw; ++kx) {
        const V wv = A::loadw(wr + kx * p.cp);
        const float* xk = xr + kx * p.dw * c;
#pragma GCC unroll 8
        for (int t = 0; t < T; ++t) acc[t] = A::fma(A::load(xk + t * step, m), wv, acc[t]);
      }
    }
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t) {
      const int64_t o = (ow + t) * c + c0;
      finish(p, acc[t], zrow ? zrow + o : nullptr, yrow + o, m);
    }
  }

  // T interior outputs for a compile-time kernel width KW and stride S (dilation 1 along the row):
  // each input column is loaded once and feeds every (output, tap) pair that reads it, with the KW
  // weights of the kernel row held in registers.
  template <int T, int KW, int S, class MM>
  static inline void block_fixed(const DwParams& p, const float* xn, const float* zrow, float* yrow,
                                 int64_t ih0, int64_t ky_lo, int64_t ky_hi, int64_t ow, int64_t c0, MM m) {
    const int64_t c = p.c;
    constexpr int kCols = (T - 1) * S + KW;
    V acc[T];
    const V b = A::loadw(p.bias + c0);
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t) acc[t] = b;
    for (int64_t ky = ky_lo; ky < ky_hi; ++ky) {
      const float* xr = xn + (ih0 + ky * p.dh) * p.w * c + (ow * S - p.pl) * c + c0;
      const float* wr = p.weights + ky * KW * p.cp + c0;
      V wv[KW];
#pragma GCC unroll 8
      for (int kx = 0; kx < KW; ++kx) wv[kx] = A::loadw(wr + kx * p.cp);
      const float* xp = xr;
#pragma GCC unroll 64
      for (int j = 0; j < kCols; ++j, xp += c) {
        // In a register once, used by every tap that reads it: without the pin GCC folds the load
        // into each FMA, doubling the load traffic this scheme exists to save.
        V xv = A::load(xp, m);
        A::pin(xv);
#pragma GCC unroll 8
        for (int kx = 0; kx < KW; ++kx) {
          const int d = j - kx;
          if (d >= 0 && d % S == 0 && d / S < T) acc[d / S] = A::fma(xv, wv[kx], acc[d / S]);
        }
      }
    }
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t) {
      const int64_t o = (ow + t) * c + c0;
      finish(p, acc[t], zrow ? zrow + o : nullptr, yrow + o, m);
    }
  }

  template <int KW, int S, class MM>
  static inline void interior_fixed(const DwParams& p, const float* xn, const float* zrow, float* yrow,
                                    int64_t ih0, int64_t ky_lo, int64_t ky_hi, int64_t c0, MM m) {
    int64_t ow = p.ow_lo;
    for (; ow + 8 <= p.ow_hi; ow += 8) block_fixed<8, KW, S, MM>(p, xn, zrow, yrow, ih0, ky_lo, ky_hi, ow, c0, m);
    if (ow + 4 <= p.ow_hi) {
      block_fixed<4, KW, S, MM>(p, xn, zrow, yrow, ih0, ky_lo, ky_hi, ow, c0, m);
      ow += 4;
    }
    for (; ow < p.ow_hi; ++ow) block_fixed<1, KW, S, MM>(p, xn, zrow, yrow, ih0, ky_lo, ky_hi, ow, c0, m);
  }

  template <class MM>
  static inline void interior_generic(const DwParams& p, const float* xn, const float* zrow, float* yrow,
                                      int64_t ih0, int64_t ky_lo, int64_t ky_hi, int64_t c0, MM m) {
    int64_t ow = p.ow_lo;
    for (; ow + 8 <= p.ow_hi; ow += 8) block_generic<8, MM>(p, xn, zrow, yrow, ih0, ky_lo, ky_hi, ow, c0, m);
    if (ow + 4 <= p.ow_hi) {
      block_generic<4, MM>(p, xn, zrow, yrow, ih0, ky_lo, ky_hi, ow, c0, m);
      ow += 4;
    }
    for (; ow < p.ow_hi; ++ow) block_generic<1, MM>(p, xn, zrow, yrow, ih0, ky_lo, ky_hi, ow, c0, m);
  }

  // One output row for channels [c0, c0 + kWidth): left edge, interior, right edge. MM is A::Full
  // for whole blocks (plain loads and stores) or A::M for the masked C % kWidth tail.
  template <class MM>
  static void channel_block(const DwParams& p, const float* xn, const float* zrow, float* yrow, int64_t ih0,
                            int64_t ky_lo, int64_t ky_hi, int64_t c0, int mode, MM m) {
    for (int64_t ow = 0; ow < p.ow_lo; ++ow) pixel(p, xn, zrow, yrow, ih0, ky_lo, ky_hi, ow, c0, m);
    switch (mode) {
      case 1: interior_fixed<3, 1>(p, xn, zrow, yrow, ih0, ky_lo, ky_hi, c0, m); break;
      case 2: interior_fixed<3, 2>(p, xn, zrow, yrow, ih0, ky_lo, ky_hi, c0, m); break;
      case 3: interior_fixed<5, 1>(p, xn, zrow, yrow, ih0, ky_lo, ky_hi, c0, m); break;
      case 4: interior_fixed<5, 2>(p, xn, zrow, yrow, ih0, ky_lo, ky_hi, c0, m); break;
      default: interior_generic(p, xn, zrow, yrow, ih0, ky_lo, ky_hi, c0, m); break;
    }
    for (int64_t ow = p.ow_hi; ow < p.ow; ++ow) pixel(p, xn, zrow, yrow, ih0, ky_lo, ky_hi, ow, c0, m);
  }

  static void rows(const DwParams& p, const float* x, const float* z, float* y, int64_t row_begin, int64_t row_end) {
    const int64_t c = p.c;
    // Which interior loop: 1 = 3-wide stride 1, 2 = 3-wide stride 2, 3/4 = 5-wide, 0 = generic.
    int mode = 0;
    if (p.dw == 1 && (p.sw == 1 || p.sw == 2) && (p.kw == 3 || p.kw == 5)) {
      mode = (p.kw == 3 ? 1 : 3) + (p.sw == 2 ? 1 : 0);
    }
    for (int64_t r = row_begin; r < row_end; ++r) {
      const int64_t n = r / p.oh, oh = r % p.oh;
      const int64_t ih0 = oh * p.sh - p.pt;
      int64_t ky_lo = 0, ky_hi = p.kh;
      while (ky_lo < ky_hi && ih0 + ky_lo * p.dh < 0) ++ky_lo;
      while (ky_hi > ky_lo && ih0 + (ky_hi - 1) * p.dh >= p.h) --ky_hi;
      const float* xn = x + n * p.h * p.w * c;
      float* yrow = y + r * p.ow * c;
      const float* zrow = z ? z + r * p.ow * c : nullptr;
      int64_t c0 = 0;
      for (; c0 + A::kWidth <= c; c0 += A::kWidth) channel_block(p, xn, zrow, yrow, ih0, ky_lo, ky_hi, c0, mode, A::full());
      if (c0 < c) channel_block(p, xn, zrow, yrow, ih0, ky_lo, ky_hi, c0, mode, A::mask(c - c0));
    }
  }
};

}  // namespace
}  // namespace kiln::cpu
