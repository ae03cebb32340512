// The Winograd F(2x2, 3x3) tile transforms (winograd.h), written once over a vector-ops struct A
// (simd/ops_<isa>.h) and instantiated in winograd_<isa>.cc, each compiled for its ISA. Vectors run
// along channels, so every transform is the same few adds on kWidth channels at once.
// Included only by those files: everything here has internal linkage per translation unit.
#pragma once

#include "backends/cpu/simd/epilogue.h"
#include "backends/cpu/winograd/winograd.h"

namespace kiln::cpu {
namespace {

template <class A>
struct WinoKernel {
  using V = typename A::V;

  // out = B^T-style 1-D transform of four vectors: [d0 - d2, d1 + d2, d2 - d1, d1 - d3].
  static inline void input_1d(const V (&d)[4], V (&out)[4]) {
    out[0] = A::sub(d[0], d[2]);
    out[1] = A::add(d[1], d[2]);
    out[2] = A::sub(d[2], d[1]);
    out[3] = A::sub(d[1], d[3]);
  }

  template <class MM>
  static inline void input_tile(const WinoParams& p, const float* x, float* v, int64_t t, int64_t l,
                                int64_t point_stride, int64_t c0, MM mask) {
    const int64_t per_image = p.th * p.tw, img = t / per_image, ty = t % per_image / p.tw, tx = t % p.tw;
    const int64_t y0 = 2 * ty - p.pt, x0 = 2 * tx - p.pl;
    x += img * p.h * p.w * p.c;
    V rows[4][4];
    for (int r = 0; r < 4; ++r) {
      const int64_t yy = y0 + r;
      const bool row_in = yy >= 0 && yy < p.h;
      for (int q = 0; q < 4; ++q) {
        const int64_t xx = x0 + q;
        rows[r][q] = row_in && xx >= 0 && xx < p.w ? A::load(x + (yy * p.w + xx) * p.c + c0, mask) : A::zero();
      }
    }
    // Columns first (B^T d), then rows ((B^T d) B).
    V cols[4][4];
    for (int q = 0; q < 4; ++q) {
      V d[4] = {rows[0][q], rows[1][q], rows[2][q], rows[3][q]}, o[4];
      input_1d(d, o);
      for (int r = 0; r < 4; ++r) cols[r][q] = o[r];
    }
    float* out = v + l * p.cp + c0;
    for (int r = 0; r < 4; ++r) {
      V o[4];
      input_1d(cols[r], o);
      for (int q = 0; q < 4; ++q) A::store(out + (r * 4 + q) * point_stride, o[q], A::full());
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

  // [m0 + m1 + m2, m1 - m2 - m3]: A^T applied to four vectors.
  static inline void output_1d(V m0, V m1, V m2, V m3, V& o0, V& o1) {
    const V s = A::add(m1, m2);
    o0 = A::add(m0, s);
    o1 = A::sub(A::sub(m1, m2), m3);
  }

  template <class MM>
  static inline void output_tile(const WinoParams& p, const float* mt, const float* z, float* y, int64_t t,
                                 int64_t l, int64_t point_stride, int64_t o0, MM mask) {
    const int64_t per_image = p.th * p.tw, img = t / per_image, ty = t % per_image / p.tw, tx = t % p.tw;
    const int64_t image = img * p.oh * p.ow * p.m;
    y += image;
    if (z) z += image;
    const float* in = mt + l * p.mp + o0;
    V rows[2][4];  // A^T applied down the columns
    for (int q = 0; q < 4; ++q) {
      output_1d(A::loadw(in + q * point_stride), A::loadw(in + (4 + q) * point_stride),
                A::loadw(in + (8 + q) * point_stride), A::loadw(in + (12 + q) * point_stride), rows[0][q], rows[1][q]);
    }
    const V b = A::loadw(p.bias + o0);
    for (int r = 0; r < 2; ++r) {
      const int64_t oy = 2 * ty + r;
      if (oy >= p.oh) break;
      V out[2];
      output_1d(rows[r][0], rows[r][1], rows[r][2], rows[r][3], out[0], out[1]);
      for (int q = 0; q < 2; ++q) {
        const int64_t ox = 2 * tx + q;
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

}  // namespace
}  // namespace kiln::cpu
