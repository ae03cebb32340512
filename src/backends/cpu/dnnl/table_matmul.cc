// Rows of the CPU backend's dnnl_matmul_kernels table (backends/cpu/backend.h).
#include "backends/cpu/backend.h"
#include "backends/cpu/dnnl/matmul_kernels.h"

namespace kiln::cpu {

std::span<const PreparedKernelEntry> dnnl_matmul_kernels() {
  static const PreparedKernelEntry kKernels[] = {
      {"", "MatMul", prepare_matmul},
      {"", "Gemm", prepare_gemm},
      {"kiln", "FusedMatMul", prepare_fused_matmul},
  };
  return kKernels;
}

}  // namespace kiln::cpu
