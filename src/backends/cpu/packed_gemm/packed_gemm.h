// fp32 GEMM against a constant B packed once: C[m, n] = act(A[m, k] B[k, n] + bias[n] (+ C as it
// was, when accumulating)), for MatMul / Gemm / kiln.FusedMatMul with constant weights and few rows
// of A on AVX2 machines: classifier heads (MobileNetV2's 1x1280x1000, ResNet-50's 1x2048x1000
// and, at batch 16, 16x2048x1000), GEMV-like projections.
//
// Why our own: oneDNN 2.6 on AVX2 runs matmul as `gemm:jit`, which takes B in plain layout and
// packs it again on every call; with few rows that packing is most of the work. Here B is stored
// once as 16-column panels in the order they are consumed (layout [panel][k-block][kc][16],
// kc = kPackedGemmKc); A is packed per call into 6-row micro-panels ([k-block][tile][kc][6]) by
// the team; each thread owns a contiguous run of panels, walks all k-blocks of one panel into a
// contiguous strip [m][16] before the next, and the micro-kernel prefetches the next block of B
// while it computes. Measured against oneDNN (benchmarks/matmul_bench, weights evicted between
// runs; docs/PERFORMANCE.md): 0.51-0.71x the time for 4-16 rows, 0.89-0.95x for one row (in
// MobileNetV2 the classifier node: 0.63-0.70 against 0.69-0.82 ms on 1 thread), parity from 40
// rows on; BERT's 128-row GEMMs were no faster in the network. On AVX-512 machines oneDNN's
// brgemm matmul keeps B packed itself, so the kernel is preferred on AVX2 only.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/cpu_features.h"
#include "core/tensor.h"
#include "ops/kiln/activation.h"

namespace kiln::cpu {

inline constexpr int64_t kPackedGemmNr = 16;   // panel width: output columns per micro-tile
inline constexpr int64_t kPackedGemmMr = 6;    // rows per micro-tile (12 accumulators on AVX2)
inline constexpr int64_t kPackedGemmKc = 256;  // k-block: a panel block (16 KiB) fits in L1
// Rows of A up to which MatMul takes this kernel: beyond, oneDNN's per-call packing of B is
// amortised (measured parity at 40 and 64 rows, no gain at 128).
inline constexpr int64_t kPackedGemmMaxRows = 16;

class PackedGemmB {
 public:
  PackedGemmB() = default;
  // B[kk][nn] = b[kk * stride_k + nn * stride_n] (stride_n = 1 for row-major B, stride_k = 1 for
  // a transposed one, as Gemm's transB gives).
  static PackedGemmB pack(const float* b, int64_t k, int64_t n, int64_t stride_k, int64_t stride_n);

  int64_t k() const { return k_; }
  int64_t n() const { return n_; }
  int64_t panels() const { return panels_; }
  int64_t kblocks() const { return kblocks_; }
  // kc x 16 floats, zero beyond column n and row k.
  const float* block(int64_t panel, int64_t kb) const {
    return data_.data<float>() + (panel * kblocks_ + kb) * kPackedGemmKc * kPackedGemmNr;
  }

 private:
  int64_t k_ = 0, n_ = 0, panels_ = 0, kblocks_ = 0;
  Tensor data_;
};

struct PackedGemmEpilogue {
  const float* bias = nullptr;  // [n] or nullptr
  bool accumulate = false;      // C holds an addend: C = act(A B + bias + C)
  Activation act;
};

// Packed A: [k-block][tile][kc][6]; one strip [tiles * 6][16] per thread.
inline int64_t packed_gemm_tiles(int64_t m) { return (m + kPackedGemmMr - 1) / kPackedGemmMr; }
inline int64_t packed_gemm_a_floats(int64_t m, int64_t k) {
  return (k + kPackedGemmKc - 1) / kPackedGemmKc * packed_gemm_tiles(m) * kPackedGemmKc * kPackedGemmMr;
}
inline int64_t packed_gemm_strip_floats(int64_t m) { return packed_gemm_tiles(m) * kPackedGemmMr * kPackedGemmNr + 16; }

// Scratch bytes packed_gemm needs for m rows of A over `threads` threads.
size_t packed_gemm_scratch_bytes(int64_t m, int64_t k, int threads);

// C (rows ldc floats apart) for the m rows of A (row-major, rows lda floats apart). `scratch`
// holds packed_gemm_scratch_bytes(m, b.k(), omp_get_max_threads()) bytes, 64-byte aligned.
// Runs on the OpenMP team (one thread inside a parallel region). `isa` picks the micro-kernel
// (tests compare the scalar one with AVX2); kAvx512 runs the AVX2 one.
void packed_gemm(int64_t m, const float* a, int64_t lda, const PackedGemmB& b, float* c, int64_t ldc,
                 const PackedGemmEpilogue& ep, void* scratch, Isa isa);

// True where the MatMul kernels should take this path (read when a kernel is prepared): an AVX2
// machine without AVX-512. KILN_PACKED_GEMM=0|1 overrides it, and so does
// set_packed_gemm_preference (tests and benchmarks: 0 off, 1 on, -1 back to the default).
bool packed_gemm_preferred();
void set_packed_gemm_preference(int mode);

// How many times packed_gemm ran (tests assert their cases took it).
int64_t packed_gemm_runs();

// Per-ISA instantiations of the whole GEMM (packed_gemm_kernel.h, in packed_gemm_<isa>.cc, which
// the build compiles at -O3), called by packed_gemm.
void packed_gemm_avx2(int64_t m, const float* a, int64_t lda, const PackedGemmB& b, float* c, int64_t ldc,
                      const PackedGemmEpilogue& ep, void* scratch);
void packed_gemm_scalar(int64_t m, const float* a, int64_t lda, const PackedGemmB& b, float* c, int64_t ldc,
                        const PackedGemmEpilogue& ep, void* scratch);

}  // namespace kiln::cpu
