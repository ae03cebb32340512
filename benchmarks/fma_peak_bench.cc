// Measured fp32 FMA peak of this CPU (GFLOP/s per thread count) for the PERFORMANCE.md machine line.
// The shared probe (../shared/bench/tools/peak.c) needs AVX-512; this one uses the widest FMA the
// CPU has (AVX-512 or AVX2 + FMA), with enough independent accumulators to hide FMA latency.
//   build/benchmarks/fma_peak_bench [threads...]      (default: 1 and 2)
#include <immintrin.h>
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/cpu_features.h"

namespace {

constexpr int kAcc = 12;
constexpr long kIters = 40'000'000;

__attribute__((target("avx2,fma"))) float fma_loop_avx2(long iters) {
  __m256 acc[kAcc];
  for (int i = 0; i < kAcc; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(i));
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (long it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < kAcc; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  }
  __m256 s = acc[0];
  for (int i = 1; i < kAcc; ++i) s = _mm256_add_ps(s, acc[i]);
  return _mm256_cvtss_f32(s);
}

__attribute__((target("avx512f"))) float fma_loop_avx512(long iters) {
  __m512 acc[kAcc];
  for (int i = 0; i < kAcc; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i));
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (long it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < kAcc; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  __m512 s = acc[0];
  for (int i = 1; i < kAcc; ++i) s = _mm512_add_ps(s, acc[i]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, s);
  return lanes[0] + lanes[15];
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> threads;
  for (int i = 1; i < argc; ++i) threads.push_back(std::atoi(argv[i]));
  if (threads.empty()) threads = {1, 2};
  const kiln::Isa isa = kiln::cpu_isa();
  const int lanes = isa == kiln::Isa::kAvx512 ? 16 : 8;
  if (isa == kiln::Isa::kScalar) {
    std::printf("no AVX2/FMA: peak not measured\n");
    return 1;
  }
  for (int t : threads) {
    double best = 0;
    for (int rep = 0; rep < 5; ++rep) {  // best of 5: the VM shares cores with other work
      float sink = 0;
      const auto start = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(t) reduction(+ : sink)
      sink += isa == kiln::Isa::kAvx512 ? fma_loop_avx512(kIters) : fma_loop_avx2(kIters);
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double gflops = 2.0 * lanes * kAcc * kIters * t / s / 1e9;
      if (gflops > best) best = gflops;
      if (sink == 12345.f) std::printf(" ");
    }
    std::printf("fp32 FMA peak (%s): %d thread%s %.1f GFLOP/s\n", kiln::isa_name(isa), t, t == 1 ? "" : "s", best);
  }
  return 0;
}
