// C[b] = A[b] x B[b] for b < batch (fp32, row-major) on oneDNN's matmul, for kernels outside this
// folder that need a GEMM stage (the Winograd convolution) without including oneDNN.
//
//   KILN_ASSIGN_OR_RETURN(auto gemm, onednn::BatchedGemm::create(16, tiles, cp, mp, ldb));
//   KILN_TRY(gemm->run(ctx, a, b, c));   // a: [batch][m][k], b: [batch][k] rows of ldb, c: [batch][m][n]
#pragma once

#include <cstdint>
#include <memory>

#include "backends/kernel.h"
#include "core/status.h"

namespace kiln::cpu::onednn {

class BatchedGemm {
 public:
  // A is [batch][m][k] and C [batch][m][n], both dense; B is [batch][k][n] with rows ldb floats
  // apart (ldb >= n) and batches k * ldb apart.
  static Expected<std::unique_ptr<BatchedGemm>> create(int64_t batch, int64_t m, int64_t k, int64_t n, int64_t ldb);
  ~BatchedGemm();

  // Parallel over the session's threads; the scratchpad comes from ctx.scratch().
  Status run(KernelContext& ctx, const float* a, const float* b, float* c) const;

 private:
  struct Impl;
  explicit BatchedGemm(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Row stride (floats) for a constant B of n columns that AVX2's gemm:jit streams: n + 16 when n
// is a multiple of 64 (rows a multiple of 256 bytes apart map onto few cache sets: BERT's
// 768x3072 weights measured 42-54 GFLOP/s unpadded against 87-121 padded), else n.
inline int64_t gemm_padded_ldb(int64_t n) { return n % 64 == 0 ? n + 16 : n; }

}  // namespace kiln::cpu::onednn
