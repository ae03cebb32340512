// Rows of the CPU backend's gemm_conv_kernels table (backends/cpu/backend.h).
#include "backends/cpu/backend.h"
#include "backends/cpu/gemm_conv/gemm_conv.h"

namespace kiln::cpu {

std::span<const PreparedKernelEntry> gemm_conv_kernels() {
  static const PreparedKernelEntry kKernels[] = {
      {"kiln", "FusedConv", prepare_gemm_conv},  // channels-last, small static outputs only; declines the rest
  };
  return kKernels;
}

}  // namespace kiln::cpu
