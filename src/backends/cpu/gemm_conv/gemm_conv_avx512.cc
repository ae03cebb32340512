// The GEMM convolution's epilogue, avx512 instantiation (gemm_conv_kernel.h).
#include "backends/cpu/gemm_conv/gemm_conv_kernel.h"
#include "backends/cpu/simd/ops_avx512.h"

namespace kiln::cpu {

void gemm_conv_epilogue_avx512(const float* bias, const Activation& act, const float* z, float* y, int64_t m, int64_t rows) {
  gemm_conv_epilogue<Avx512Ops>(bias, act, z, y, m, rows);
}

}  // namespace kiln::cpu
