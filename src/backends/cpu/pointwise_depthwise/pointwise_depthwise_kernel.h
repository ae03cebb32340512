// The kiln.PointwiseDepthwise row kernel (pointwise_depthwise.h), written once over a vector-ops
// struct A (simd/ops_<isa>.h) and instantiated in pointwise_depthwise_<isa>.cc. Included only there.
#pragma once

#include <algorithm>

#include "backends/cpu/pointwise_depthwise/pointwise_depthwise.h"
#include "backends/cpu/simd/epilogue.h"

namespace kiln::cpu {
namespace {

template <class A>
struct PwDwKernel {
  using V = typename A::V;
  using M = typename A::M;
  static constexpr int64_t L = A::kWidth;

  using Finish = cpu::Finish<A>;

  // Expanded pixels [0, P) x channels [n0, n0 + NV * L): NV vectors of B read once per k feed P
  // broadcast pixels (P x NV accumulators, see kTilePixels). K > 0 fixes the reduction length at
  // compile time: fully unrolled, it measured 78 against 58 GFLOP/s for a run-time K of 16.
  template <int P, int NV, int K, int E>
  static inline void expand_tile(const PwDwParams& p, const Finish& fin, const float* x, float* out, int64_t n0) {
    const int64_t k = K > 0 ? K : p.k, c = p.c;
    V acc[P][NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      const V b = A::loadw(p.b_pw + n0 + v * L);
#pragma GCC unroll 8
      for (int i = 0; i < P; ++i) acc[i][v] = b;
    }
#pragma GCC unroll 32
    for (int64_t kk = 0; kk < k; ++kk) {
      const float* wr = p.w_pw + kk * c + n0;
      V b[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) b[v] = A::loadw(wr + v * L);
#pragma GCC unroll 8
      for (int i = 0; i < P; ++i) {
        const V a = A::set1(x[i * k + kk]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[i][v] = A::fma(a, b[v], acc[i][v]);
      }
    }
#pragma GCC unroll 8
    for (int i = 0; i < P; ++i) {
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) A::store(out + i * c + n0 + v * L, fin.template apply<E>(acc[i][v]), A::full());
    }
  }

  template <int P, int K, int E>
  static inline void expand_pixels(const PwDwParams& p, const Finish& fin, const float* x, float* out) {
    const int64_t vecs = p.c / L;
    int64_t v = 0;
    for (; v + 3 <= vecs; v += 3) expand_tile<P, 3, K, E>(p, fin, x, out, v * L);
    for (; v < vecs; ++v) expand_tile<P, 1, K, E>(p, fin, x, out, v * L);
  }

  // Pixels per expand tile: 4 x 3 = 12 accumulators fill AVX2's 16 registers; AVX-512's 32 take
  // 8 x 3 = 24, which halves the weight loads per FMA.
  static constexpr int kTilePixels = L >= 16 ? 8 : 4;

  // One input row [w][k] -> one expanded row [w][c].
  template <int K, int E>
  static void expand_row(const PwDwParams& p, const float* x, float* out) {
    const int64_t k = K > 0 ? K : p.k;
    const Finish fin(p.act_pw);
    int64_t px = 0;
    for (; px + kTilePixels <= p.w; px += kTilePixels) {
      expand_pixels<kTilePixels, K, E>(p, fin, x + px * k, out + px * p.c);
    }
    if constexpr (kTilePixels > 4) {
      for (; px + 4 <= p.w; px += 4) expand_pixels<4, K, E>(p, fin, x + px * k, out + px * p.c);
    }
    for (; px < p.w; ++px) expand_pixels<1, K, E>(p, fin, x + px * k, out + px * p.c);
  }

  using ExpandFn = void (*)(const PwDwParams&, const float*, float*);
  template <int E>
  static ExpandFn expand_for_k(int64_t k) {
    switch (k) {
      case 8: return expand_row<8, E>;
      case 16: return expand_row<16, E>;
      case 24: return expand_row<24, E>;
      case 32: return expand_row<32, E>;
      case 40: return expand_row<40, E>;
      case 64: return expand_row<64, E>;
      default: return expand_row<0, E>;
    }
  }
  static ExpandFn expand_for(const PwDwParams& p) {
    switch (epilogue_of(p.act_pw)) {
      case kLinear: return expand_for_k<kLinear>(p.k);
      case kClamp: return expand_for_k<kClamp>(p.k);
      default: return expand_for_k<kAnyActivation>(p.k);
    }
  }

  // Output column j (any position, window clamped to the row) over all channels.
  template <int E>
  static void dw_pixel(const PwDwParams& p, const Finish& fin, const float* const rows[3], float* y, int64_t j) {
    const int64_t c = p.c, col0 = j * p.stride - p.pl;
    for (int64_t c0 = 0; c0 < c; c0 += L) {
      V acc = A::loadw(p.b_dw + c0);
      for (int kh = 0; kh < 3; ++kh) {
        if (!rows[kh]) continue;
        for (int kw = 0; kw < 3; ++kw) {
          const int64_t col = col0 + kw;
          if (col < 0 || col >= p.w) continue;
          acc = A::fma(A::load(rows[kh] + col * c + c0, A::full()), A::loadw(p.w_dw + (kh * 3 + kw) * c + c0), acc);
        }
      }
      A::store(y + j * c + c0, fin.template apply<E>(acc), A::full());
    }
  }

  // T interior outputs from column j0 (their windows wholly inside the row), all channels: per
  // kernel row the 3 weights sit in registers and each input column is loaded once for the taps
  // of every output that reads it.
  template <int T, int S, int E>
  static inline void dw_block(const PwDwParams& p, const Finish& fin, const float* const rows[3], float* y, int64_t j0) {
    const int64_t c = p.c;
    for (int64_t c0 = 0; c0 < c; c0 += L) {
      const V b = A::loadw(p.b_dw + c0);
      V acc[T];
#pragma GCC unroll 8
      for (int t = 0; t < T; ++t) acc[t] = b;
      for (int kh = 0; kh < 3; ++kh) {
        if (!rows[kh]) continue;
        const float* wr = p.w_dw + kh * 3 * c + c0;
        const V w0 = A::loadw(wr), w1 = A::loadw(wr + c), w2 = A::loadw(wr + 2 * c);
        const float* base = rows[kh] + (j0 * S - p.pl) * c + c0;
        V x0 = A::load(base, A::full());
        V x1 = A::load(base + c, A::full());
#pragma GCC unroll 8
        for (int t = 0; t < T; ++t) {
          // Output t reads columns t*S .. t*S + 2 of base.
          const V x2 = A::load(base + (t * S + 2) * c, A::full());
          acc[t] = A::fma(x0, w0, acc[t]);
          acc[t] = A::fma(x1, w1, acc[t]);
          acc[t] = A::fma(x2, w2, acc[t]);
          if constexpr (S == 1) {
            x0 = x1;
            x1 = x2;
          } else {
            x0 = x2;
            if (t + 1 < T) x1 = A::load(base + (t * S + 3) * c, A::full());
          }
        }
      }
#pragma GCC unroll 8
      for (int t = 0; t < T; ++t) A::store(y + (j0 + t) * c + c0, fin.template apply<E>(acc[t]), A::full());
    }
  }

  template <int S, int E>
  static void dw_row(const PwDwParams& p, const float* const rows[3], float* y) {
    const Finish fin(p.act_dw);
    // Interior columns: j * S - pl >= 0 and j * S - pl + 2 <= w - 1.
    const int64_t lo = std::min(p.ow, (p.pl + S - 1) / S);
    const int64_t last = p.w - 3 + p.pl;
    const int64_t hi = std::max(lo, std::min(p.ow, last < 0 ? int64_t{0} : last / S + 1));
    int64_t j = 0;
    for (; j < lo; ++j) dw_pixel<E>(p, fin, rows, y, j);
    for (; j + 8 <= hi; j += 8) dw_block<8, S, E>(p, fin, rows, y, j);
    for (; j + 4 <= hi; j += 4) dw_block<4, S, E>(p, fin, rows, y, j);
    for (; j < hi; ++j) dw_block<1, S, E>(p, fin, rows, y, j);
    for (; j < p.ow; ++j) dw_pixel<E>(p, fin, rows, y, j);
  }

  using DwFn = void (*)(const PwDwParams&, const float* const*, float*);
  template <int S>
  static DwFn dw_for_e(const Activation& a) {
    switch (epilogue_of(a)) {
      case kLinear: return dw_row<S, kLinear>;
      case kClamp: return dw_row<S, kClamp>;
      default: return dw_row<S, kAnyActivation>;
    }
  }

  // Project: output pixels [0, P) x channels [n0, n0 + NV * L) of Y = act(D x w_pj + b_pj + Z),
  // the last vector masked by `last` (m need not be a multiple of L). The reduction runs over all
  // c channels of the depthwise row D.
  template <int P, int NV, int E>
  static inline void project_tile(const PwDwParams& p, const Finish& fin, M last, const float* d, const float* z,
                                  float* y, int64_t n0) {
    const int64_t c = p.c, m = p.m, ldq = p.ldq;
    V acc[P][NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      const V b = A::loadw(p.b_pj + n0 + v * L);
#pragma GCC unroll 8
      for (int i = 0; i < P; ++i) acc[i][v] = b;
    }
    const float* w = p.w_pj + n0;
#pragma GCC unroll 4
    for (int64_t kk = 0; kk < c; ++kk, w += ldq) {
      V b[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) b[v] = A::loadw(w + v * L);
#pragma GCC unroll 8
      for (int i = 0; i < P; ++i) {
        const V a = A::set1(d[i * c + kk]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[i][v] = A::fma(a, b[v], acc[i][v]);
      }
    }
#pragma GCC unroll 8
    for (int i = 0; i < P; ++i) {
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        float* out = y + i * m + n0 + v * L;
        V r = acc[i][v];
        if (v + 1 < NV || n0 + NV * L <= m) {
          if (z) r = A::add(r, A::load(z + i * m + n0 + v * L, A::full()));
          A::store(out, fin.template apply<E>(r), A::full());
        } else {
          if (z) r = A::add(r, A::load(z + i * m + n0 + v * L, last));
          A::store(out, fin.template apply<E>(r), last);
        }
      }
    }
  }

  template <int P, int E>
  static inline void project_pixels(const PwDwParams& p, const Finish& fin, M last, const float* d, const float* z,
                                    float* y) {
    const int64_t vecs = (p.m + L - 1) / L;
    int64_t v = 0;
    for (; v + 3 <= vecs; v += 3) project_tile<P, 3, E>(p, fin, last, d, z, y, v * L);
    if (vecs - v == 2) project_tile<P, 2, E>(p, fin, last, d, z, y, v * L);
    else if (vecs - v == 1) project_tile<P, 1, E>(p, fin, last, d, z, y, v * L);
  }

  // One depthwise row d [ow][c] -> one output row y [ow][m] (z: Z's row, or null).
  template <int E>
  static void project_row(const PwDwParams& p, const float* d, const float* z, float* y) {
    const Finish fin(p.act_pj);
    const M last = A::mask(p.m % L == 0 ? L : p.m % L);
    const int64_t c = p.c, m = p.m;
    int64_t px = 0;
    for (; px + kTilePixels <= p.ow; px += kTilePixels) {
      project_pixels<kTilePixels, E>(p, fin, last, d + px * c, z ? z + px * m : nullptr, y + px * m);
    }
    for (; px < p.ow; ++px) project_pixels<1, E>(p, fin, last, d + px * c, z ? z + px * m : nullptr, y + px * m);
  }

  using ProjectFn = void (*)(const PwDwParams&, const float*, const float*, float*);
  static ProjectFn project_for(const PwDwParams& p) {
    switch (epilogue_of(p.act_pj)) {
      case kLinear: return project_row<kLinear>;
      case kClamp: return project_row<kClamp>;
      default: return project_row<kAnyActivation>;
    }
  }

  static void rows(const PwDwParams& p, const float* x, const float* z, float* y, int64_t r0, int64_t r1,
                   float* ring) {
    const ExpandFn expand = p.w_pw ? expand_for(p) : nullptr;
    const DwFn dw = p.stride == 1 ? dw_for_e<1>(p.act_dw) : dw_for_e<2>(p.act_dw);
    const ProjectFn project = p.m > 0 ? project_for(p) : nullptr;
    const int64_t slot_floats = p.w * p.c, out_c = pwdw_out_channels(p);
    float* drow = ring + (expand ? 3 * slot_floats : 0);  // the depthwise row, with a project
    int64_t held[3] = {-1, -1, -1};  // the input row each ring slot holds
    for (int64_t r = r0; r < r1; ++r) {
      const float* rows[3];
      for (int kh = 0; kh < 3; ++kh) {
        const int64_t i = r * p.stride - p.pt + kh;
        if (i < 0 || i >= p.h) {
          rows[kh] = nullptr;  // padding: the taps are skipped
          continue;
        }
        if (!expand) {
          rows[kh] = x + i * p.w * p.c;  // no expand: the depthwise reads X's rows in place
          continue;
        }
        const int64_t slot = i % 3;  // three consecutive rows never share a slot
        float* dst = ring + slot * slot_floats;
        if (held[slot] != i) {
          expand(p, x + i * p.w * p.k, dst);
          held[slot] = i;
        }
        rows[kh] = dst;
      }
      if (!project) {
        dw(p, rows, y + r * p.ow * p.c);
      } else {
        dw(p, rows, drow);
        project(p, drow, z ? z + r * p.ow * out_c : nullptr, y + r * p.ow * out_c);
      }
    }
  }
};

}  // namespace
}  // namespace kiln::cpu
