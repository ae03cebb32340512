// The Winograd tile transforms (winograd.h), written once over a vector-ops struct A
// (simd/ops_<isa>.h) and a tile size (F2 or F4 below, the 1-D transforms B^T and A^T), and
// instantiated in winograd_<isa>.cc, each compiled for its ISA. Vectors run along channels, so
// every transform is the same few adds on kWidth channels at once.
// Included only by those files: everything here has internal linkage per translation unit.
#pragma once

#include "backends/cpu/simd/epilogue.h"
#include "backends/cpu/winograd/winograd.h"

namespace kiln::cpu {
namespace {

// F(2x2, 3x3): 4-point tiles, 2 outputs.
template <class A>
struct F2 {
  using V = typename A::V;
  static constexpr int kR = 2, kAlpha = 4;

  // B^T d: [d0 - d2, d1 + d2, d2 - d1, d1 - d3].
  static inline void input_1d(const V (&d)[kAlpha], V (&o)[kAlpha]) {
    o[0] = A::sub(d[0], d[2]);
    o[1] = A::add(d[1], d[2]);
    o[2] = A::sub(d[2], d[1]);
    o[3] = A::sub(d[1], d[3]);
  }

  // A^T m: [m0 + m1 + m2, m1 - m2 - m3].
  static inline void output_1d(const V (&m)[kAlpha], V (&o)[kR]) {
    o[0] = A::add(m[0], A::add(m[1], m[2]));
    o[1] = A::sub(A::sub(m[1], m[2]), m[3]);
  }
};

// F(4x4, 3x3): 6-point tiles, 4 outputs; the rows of B^T and A^T (winograd.h) regrouped into
// shared sums and differences.
template <class A>
struct F4 {
  using V = typename A::V;
  static constexpr int kR = 4, kAlpha = 6;

  static inline void input_1d(const V (&d)[kAlpha], V (&o)[kAlpha]) {
    const V four = A::set1(4.f), minus_five = A::set1(-5.f), two = A::set1(2.f);
    const V t0 = A::fma(A::set1(-4.f), d[2], d[4]);  // d4 - 4 d2
    const V t1 = A::fma(A::set1(-4.f), d[1], d[3]);  // d3 - 4 d1
    const V t2 = A::sub(d[4], d[2]);
    const V t3 = A::mul(two, A::sub(d[3], d[1]));
    o[0] = A::fma(four, d[0], A::fma(minus_five, d[2], d[4]));
    o[1] = A::add(t0, t1);
    o[2] = A::sub(t0, t1);
    o[3] = A::add(t2, t3);
    o[4] = A::sub(t2, t3);
    o[5] = A::fma(four, d[1], A::fma(minus_five, d[3], d[5]));
  }

  static inline void output_1d(const V (&m)[kAlpha], V (&o)[kR]) {
    const V a = A::add(m[1], m[2]), b = A::sub(m[1], m[2]);
    const V c = A::add(m[3], m[4]), d = A::sub(m[3], m[4]);
    o[0] = A::add(A::add(m[0], a), c);
    o[1] = A::fma(A::set1(2.f), d, b);
    o[2] = A::fma(A::set1(4.f), c, a);
    o[3] = A::add(A::fma(A::set1(8.f), d, b), m[5]);
  }
};

template <class A, class T>
struct WinoKernel {
  using V = typename A::V;
  static constexpr int kR = T::kR, kAlpha = T::kAlpha;

  template <class MM>
  static inline void input_tile(const WinoParams& p, const float* x, float* v, int64_t t, int64_t l,
                                int64_t point_stride, int64_t c0, MM mask) {
    const int64_t per_image = p.th * p.tw, img = t / per_image, ty = t % per_image / p.tw, tx = t % p.tw;
    const int64_t y0 = kR * ty - p.pt, x0 = kR * tx - p.pl;
    x += img * p.h * p.w * p.c;
    // Columns first (B^T d), then rows ((B^T d) B).
    V cols[kAlpha][kAlpha];
    for (int q = 0; q < kAlpha; ++q) {
      const int64_t xx = x0 + q;
      const bool col_in = xx >= 0 && xx < p.w;
      V d[kAlpha], o[kAlpha];
      for (int r = 0; r < kAlpha; ++r) {
        const int64_t yy = y0 + r;
        d[r] = col_in && yy >= 0 && yy < p.h ? A::load(x + (yy * p.w + xx) * p.c + c0, mask) : A::zero();
      }
      T::input_1d(d, o);
      for (int r = 0; r < kAlpha; ++r) cols[r][q] = o[r];
    }
    float* out = v + l * p.cp + c0;
    for (int r = 0; r < kAlpha; ++r) {
      V o[kAlpha];
      T::input_1d(cols[r], o);
      for (int q = 0; q < kAlpha; ++q) A::store(out + (r * kAlpha + q) * point_stride, o[q], A::full());
    }
  }

  static void input(const WinoParams& p, const WinoChunk& chunk, const float* x, float* v, int64_t l_begin,
                    int64_t l_end) {
    const int64_t point_stride = chunk.count * p.cp;
    for (int64_t l = l_begin; l < l_end; ++l) {
      const int64_t t = chunk.first + l;
      int64_t c0 = 0;
      for (; c0 + A::kWidth <= p.c; c0 += A::kWidth) input_tile(p, x, v, t, l, point_stride, c0, A::full());
      // The tail and the padding up to cp: masked loads give zeros past c.
      for (; c0 < p.cp; c0 += A::kWidth) {
        input_tile(p, x, v, t, l, point_stride, c0, A::mask(p.c > c0 ? p.c - c0 : 0));
      }
    }
  }

  template <class MM>
  static inline void output_tile(const WinoParams& p, const float* mt, const float* z, float* y, int64_t t,
                                 int64_t l, int64_t point_stride, int64_t o0, MM mask) {
    const int64_t per_image = p.th * p.tw, img = t / per_image, ty = t % per_image / p.tw, tx = t % p.tw;
    const int64_t image = img * p.oh * p.ow * p.m;
    y += image;
    if (z) z += image;
    const float* in = mt + l * p.mp + o0;
    V rows[kR][kAlpha];  // A^T applied down the columns
    for (int q = 0; q < kAlpha; ++q) {
      V m[kAlpha], o[kR];
      for (int r = 0; r < kAlpha; ++r) m[r] = A::loadw(in + (r * kAlpha + q) * point_stride);
      T::output_1d(m, o);
      for (int r = 0; r < kR; ++r) rows[r][q] = o[r];
    }
    const V b = A::loadw(p.bias + o0);
    for (int r = 0; r < kR; ++r) {
      const int64_t oy = kR * ty + r;
      if (oy >= p.oh) break;
      V out[kR];
      T::output_1d(rows[r], out);
      for (int q = 0; q < kR; ++q) {
        const int64_t ox = kR * tx + q;
        if (ox >= p.ow) break;
        const int64_t at = (oy * p.ow + ox) * p.m + o0;
        V acc = A::add(out[q], b);
        if (z) acc = A::add(acc, A::load(z + at, mask));
        A::store(y + at, activate<A>(p.act, acc), mask);
      }
    }
  }

  static void output(const WinoParams& p, const WinoChunk& chunk, const float* mt, const float* z, float* y,
                     int64_t l_begin, int64_t l_end) {
    const int64_t point_stride = chunk.count * p.mp;
    for (int64_t l = l_begin; l < l_end; ++l) {
      const int64_t t = chunk.first + l;
      int64_t o0 = 0;
      for (; o0 + A::kWidth <= p.m; o0 += A::kWidth) output_tile(p, mt, z, y, t, l, point_stride, o0, A::full());
      if (o0 < p.m) output_tile(p, mt, z, y, t, l, point_stride, o0, A::mask(p.m - o0));
    }
  }
};

// The entry points of winograd_<isa>.cc: p.r picks the tile size.
template <class A>
void wino_input(const WinoParams& p, const WinoChunk& chunk, const float* x, float* v, int64_t l_begin, int64_t l_end) {
  if (p.r == 4) WinoKernel<A, F4<A>>::input(p, chunk, x, v, l_begin, l_end);
  else WinoKernel<A, F2<A>>::input(p, chunk, x, v, l_begin, l_end);
}

template <class A>
void wino_output(const WinoParams& p, const WinoChunk& chunk, const float* mt, const float* z, float* y, int64_t l_begin,
                 int64_t l_end) {
  if (p.r == 4) WinoKernel<A, F4<A>>::output(p, chunk, mt, z, y, l_begin, l_end);
  else WinoKernel<A, F2<A>>::output(p, chunk, mt, z, y, l_begin, l_end);
}

}  // namespace
}  // namespace kiln::cpu
