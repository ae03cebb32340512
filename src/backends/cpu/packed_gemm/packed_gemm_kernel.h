// The packed GEMM (packed_gemm.h): micro-kernel, A packing, the per-thread panel walk and the
// output store, written once over a vector-ops struct A (simd/ops_<isa>.h) and instantiated in
// packed_gemm_<isa>.cc. Included only by those.
#pragma once

#include <omp.h>

#include <algorithm>

#include "backends/cpu/packed_gemm/packed_gemm.h"
#include "backends/cpu/simd/epilogue.h"

namespace kiln::cpu {
namespace {

// acc[r][:] += a[r] * b[:] for one k: B's vectors loaded once, A broadcast per row.
template <class A, int kRows, int kVecs>
__attribute__((always_inline)) inline void packed_step(typename A::V (&acc)[kRows][kVecs], const float* brow,
                                                       const float* arow) {
  typename A::V b[kVecs];
#pragma GCC unroll 16
  for (int v = 0; v < kVecs; ++v) b[v] = A::loadw(brow + v * A::kWidth);
#pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r) {
    const typename A::V av = A::set1(arow[r]);
#pragma GCC unroll 16
    for (int v = 0; v < kVecs; ++v) acc[r][v] = A::fma(av, b[v], acc[r][v]);
  }
}

// One rows x 16 tile over kc: rows x (16 / kWidth) accumulators (12 ymm on AVX2), A read from its
// packed micro-panel [kc][6]. Loops fully unrolled over rows and vectors (the build is -O2, which
// would otherwise keep the accumulators in memory), and the k loop split by hand where the
// prefetches stop: with the test inside the loop, -O2 code ran 20-30% slower on 2 threads.
template <class A, int kRows>
void packed_tile(int64_t kc, const float* ap, const float* bp, float* out, bool accumulate, const float* pf,
                 int64_t pf_lines) {
  constexpr int kVecs = static_cast<int>(kPackedGemmNr / A::kWidth);
  typename A::V acc[kRows][kVecs];
#pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r) {
#pragma GCC unroll 16
    for (int v = 0; v < kVecs; ++v) acc[r][v] = A::zero();
  }
  // The next block of B, one line per k for the first pf_lines steps (spread over the tiles of a
  // panel by the caller): it arrives while this block is still in use.
  const int64_t split = pf_lines < kc ? pf_lines : kc;
  int64_t kk = 0;
  for (; kk < split; ++kk) {
    __builtin_prefetch(pf + kk * kPackedGemmNr, 0, 3);
    packed_step<A, kRows, kVecs>(acc, bp + kk * kPackedGemmNr, ap + kk * kPackedGemmMr);
  }
  for (; kk < kc; ++kk) packed_step<A, kRows, kVecs>(acc, bp + kk * kPackedGemmNr, ap + kk * kPackedGemmMr);
#pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r) {
    float* o = out + r * kPackedGemmNr;
#pragma GCC unroll 16
    for (int v = 0; v < kVecs; ++v) {
      typename A::V x = acc[r][v];
      if (accumulate) x = A::add(x, A::loadw(o + v * A::kWidth));
      A::store(o + v * A::kWidth, x, A::full());
    }
  }
}

template <class A>
void packed_gemm_tile(int64_t rows, int64_t kc, const float* ap, const float* bp, float* out, bool accumulate,
                      const float* pf, int64_t pf_lines) {
  switch (rows) {
    case 1: return packed_tile<A, 1>(kc, ap, bp, out, accumulate, pf, pf_lines);
    case 2: return packed_tile<A, 2>(kc, ap, bp, out, accumulate, pf, pf_lines);
    case 3: return packed_tile<A, 3>(kc, ap, bp, out, accumulate, pf, pf_lines);
    case 4: return packed_tile<A, 4>(kc, ap, bp, out, accumulate, pf, pf_lines);
    case 5: return packed_tile<A, 5>(kc, ap, bp, out, accumulate, pf, pf_lines);
    default: return packed_tile<A, 6>(kc, ap, bp, out, accumulate, pf, pf_lines);
  }
}

// c[r][0..nr) = act(strip[r][0..nr) + bias[0..nr) (+ c[r][0..nr))) for r < rows; bias may be
// nullptr; act holds in-register kinds only (the caller runs the rest over the strip first).
template <class A>
void packed_gemm_store(int64_t rows, int64_t nr, const float* strip, const float* bias, bool accumulate,
                       const Activation& act, float* c, int64_t ldc) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* s = strip + r * kPackedGemmNr;
    float* cr = c + r * ldc;
    int64_t o = 0;
    for (; o + A::kWidth <= nr; o += A::kWidth) {
      auto v = A::loadw(s + o);
      if (bias) v = A::add(v, A::loadw(bias + o));
      if (accumulate) v = A::add(v, A::loadw(cr + o));
      A::store(cr + o, activate<A>(act, v), A::full());
    }
    if (o < nr) {
      const auto mask = A::mask(nr - o);
      auto v = A::load(s + o, mask);
      if (bias) v = A::add(v, A::load(bias + o, mask));
      if (accumulate) v = A::add(v, A::load(cr + o, mask));
      A::store(cr + o, activate<A>(act, v), mask);
    }
  }
}

// One 6-row tile of packed A: rows [i0, i0 + 6) of A, columns [k0, k0 + kc). Rows past m are
// left unwritten: the last tile's micro-kernel reads only its m - i0 rows.
inline void packed_gemm_pack_a(const float* a, int64_t lda, int64_t m, int64_t i0, int64_t k0, int64_t kc, float* dst) {
  const int64_t rows = std::min(kPackedGemmMr, m - i0);
  for (int64_t r = 0; r < rows; ++r) {
    const float* src = a + (i0 + r) * lda + k0;
    for (int64_t kk = 0; kk < kc; ++kk) dst[kk * kPackedGemmMr + r] = src[kk];
  }
}

// The GEMM: A packed once per call by the team, then each thread walks its run of panels, all
// k-blocks of one panel into its strip before the next panel, and stores the strip with the
// epilogue.
template <class A>
void packed_gemm_run(int64_t m, const float* a, int64_t lda, const PackedGemmB& b, float* c, int64_t ldc,
                     const PackedGemmEpilogue& ep, void* scratch) {
  constexpr int64_t kNr = kPackedGemmNr, kMr = kPackedGemmMr, kKc = kPackedGemmKc;
  const bool post = !activation_in_registers(ep.act.kind);
  const Activation reg_act = post ? Activation{} : ep.act;
  const int64_t k = b.k(), n = b.n(), kblocks = b.kblocks(), panels = b.panels(), tiles = packed_gemm_tiles(m);
  auto* packed_a = static_cast<float*>(scratch);
  float* strips = packed_a + packed_gemm_a_floats(m, k);

  // Two panels per thread at least: below that the fork costs more than the split saves.
  int threads = omp_in_parallel() ? 1 : omp_get_max_threads();
  threads = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, panels / 2)));
#pragma omp parallel num_threads(threads)
  {
    const int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
#pragma omp for schedule(static)
    for (int64_t job = 0; job < kblocks * tiles; ++job) {
      const int64_t kb = job / tiles, ti = job % tiles;
      packed_gemm_pack_a(a, lda, m, ti * kMr, kb * kKc, std::min(kKc, k - kb * kKc), packed_a + job * kKc * kMr);
    }  // implicit barrier: A is packed

    float* strip = strips + t * packed_gemm_strip_floats(m);
    const int64_t p_begin = panels * t / nt, p_end = panels * (t + 1) / nt;
    for (int64_t pn = p_begin; pn < p_end; ++pn) {
      for (int64_t kb = 0; kb < kblocks; ++kb) {
        const int64_t kc = std::min(kKc, k - kb * kKc);
        const float* bp = b.block(pn, kb);
        // Blocks are stored in consumption order: the next one follows (none after the last).
        const float* next = pn + 1 < p_end || kb + 1 < kblocks ? bp + kKc * kNr : nullptr;
        const int64_t lines_per_tile = (kc + tiles - 1) / tiles;  // one 64-byte line per k row
        const float* ap = packed_a + kb * tiles * kKc * kMr;
        for (int64_t ti = 0; ti < tiles; ++ti) {
          const int64_t first = ti * lines_per_tile;
          const int64_t lines = next ? std::clamp<int64_t>(kc - first, 0, lines_per_tile) : 0;
          packed_gemm_tile<A>(std::min(kMr, m - ti * kMr), kc, ap + ti * kKc * kMr, bp, strip + ti * kMr * kNr, kb > 0,
                              lines > 0 ? next + first * kNr : nullptr, lines);
        }
      }
      const int64_t n0 = pn * kNr, nr = std::min(kNr, n - n0);
      const float* bias = ep.bias ? ep.bias + n0 : nullptr;
      if (post) {
        // Kinds without a register form run over the strip (contiguous) before the store.
        for (int64_t r = 0; r < m; ++r) {
          float* s = strip + r * kNr;
          for (int64_t j = 0; j < nr; ++j) s[j] += (bias ? bias[j] : 0.f) + (ep.accumulate ? c[r * ldc + n0 + j] : 0.f);
        }
        apply_post_activation(ep.act, strip, m * kNr);
        packed_gemm_store<A>(m, nr, strip, nullptr, false, reg_act, c + n0, ldc);
      } else {
        packed_gemm_store<A>(m, nr, strip, bias, ep.accumulate, reg_act, c + n0, ldc);
      }
    }
  }
}

}  // namespace
}  // namespace kiln::cpu
