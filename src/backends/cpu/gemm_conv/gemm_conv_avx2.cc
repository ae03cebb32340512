// The GEMM convolution's epilogue, avx2 instantiation (gemm_conv_kernel.h).
#include "backends/cpu/gemm_conv/gemm_conv_kernel.h"
#include "backends/cpu/simd/ops_avx2.h"

namespace kiln::cpu {

void gemm_conv_epilogue_avx2(const float* bias, const Activation& act, const float* z, float* y, int64_t m, int64_t rows) {
  gemm_conv_epilogue<Avx2Ops>(bias, act, z, y, m, rows);
}

}  // namespace kiln::cpu
