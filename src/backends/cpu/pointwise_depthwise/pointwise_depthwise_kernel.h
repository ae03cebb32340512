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

  // The kernel's two 1x1 convolutions (the expand and the project) as the row tiles read them:
  // a [pixels][k] x w [k][ldw] + b -> y [pixels][n].
  struct Conv1x1 {
    int64_t k, n, ldw;
    const float* w;
    const float* b;
  };
  // How a tile stores: the expand's n is a multiple of the width and has no sum input; the
  // project's last vector may be partial (24 channels on AVX-512) and it may add Z.
  enum Store { kFull, kMaskedSum };

  // Pixels [0, P) x channels [n0, n0 + NV * L): NV vectors of w read once per k feed P broadcast
  // pixels (P x NV accumulators, see kTilePixels). K > 0 fixes the reduction length at compile
  // time: fully unrolled, the expand measured 78 against 58 GFLOP/s for a run-time K of 16.
  template <int P, int NV, int K, int E, Store S>
  static inline void tile(const Conv1x1& g, const Finish& fin, M last, const float* a, const float* z, float* y,
                          int64_t n0) {
    const int64_t k = K > 0 ? K : g.k, n = g.n;
    V acc[P][NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      const V b = A::loadw(g.b + n0 + v * L);
#pragma GCC unroll 8
      for (int i = 0; i < P; ++i) acc[i][v] = b;
    }
#pragma GCC unroll 32
    for (int64_t kk = 0; kk < k; ++kk) {
      const float* wr = g.w + kk * g.ldw + n0;
      V b[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) b[v] = A::loadw(wr + v * L);
#pragma GCC unroll 8
      for (int i = 0; i < P; ++i) {
        const V x = A::set1(a[i * k + kk]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[i][v] = A::fma(x, b[v], acc[i][v]);
      }
    }
#pragma GCC unroll 8
    for (int i = 0; i < P; ++i) {
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        float* out = y + i * n + n0 + v * L;
        V r = acc[i][v];
        if (S == kFull || v + 1 < NV || n0 + NV * L <= n) {
          if (S == kMaskedSum && z) r = A::add(r, A::load(z + i * n + n0 + v * L, A::full()));
          A::store(out, fin.template apply<E>(r), A::full());
        } else {
          if (z) r = A::add(r, A::load(z + i * n + n0 + v * L, last));
          A::store(out, fin.template apply<E>(r), last);
        }
      }
    }
  }

  // P pixels, all n channels: tiles of 3 vectors, then one of 2 or 1.
  template <int P, int K, int E, Store S>
  static inline void pixels(const Conv1x1& g, const Finish& fin, M last, const float* a, const float* z, float* y) {
    const int64_t vecs = (g.n + L - 1) / L;
    int64_t v = 0;
    for (; v + 3 <= vecs; v += 3) tile<P, 3, K, E, S>(g, fin, last, a, z, y, v * L);
    if (vecs - v == 2) tile<P, 2, K, E, S>(g, fin, last, a, z, y, v * L);
    else if (vecs - v == 1) tile<P, 1, K, E, S>(g, fin, last, a, z, y, v * L);
  }

  // Pixels per tile: 4 x 3 = 12 accumulators fill AVX2's 16 registers; AVX-512's 32 take
  // 8 x 3 = 24, which halves the weight loads per FMA.
  static constexpr int kTilePixels = L >= 16 ? 8 : 4;

  // One row of `count` pixels: a [count][k] -> y [count][n] (z: Z's row, or null).
  template <int K, int E, Store S>
  static void conv1x1_row(const Conv1x1& g, const Activation& act, const float* a, const float* z, float* y,
                          int64_t count) {
    const Finish fin(act);
    const M last = A::mask(g.n % L == 0 ? L : g.n % L);
    const int64_t k = K > 0 ? K : g.k, n = g.n;
    int64_t px = 0;
    for (; px + kTilePixels <= count; px += kTilePixels) {
      pixels<kTilePixels, K, E, S>(g, fin, last, a + px * k, z ? z + px * n : nullptr, y + px * n);
    }
    if constexpr (kTilePixels > 4) {
      for (; px + 4 <= count; px += 4) pixels<4, K, E, S>(g, fin, last, a + px * k, z ? z + px * n : nullptr, y + px * n);
    }
    for (; px < count; ++px) pixels<1, K, E, S>(g, fin, last, a + px * k, z ? z + px * n : nullptr, y + px * n);
  }

  // One input row [w][k] -> one expanded row [w][c].
  template <int K, int E>
  static void expand_row(const PwDwParams& p, const float* x, float* out) {
    conv1x1_row<K, E, kFull>({p.k, p.c, p.c, p.w_pw, p.b_pw}, p.act_pw, x, nullptr, out, p.w);
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

  // One depthwise row d [ow][c] -> one output row y [ow][m] (z: Z's row, or null).
  template <int E>
  static void project_row(const PwDwParams& p, const float* d, const float* z, float* y) {
    conv1x1_row<0, E, kMaskedSum>({p.c, p.m, p.ldq, p.w_pj, p.b_pj}, p.act_pj, d, z, y, p.ow);
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
