// Rows of the CPU backend's winograd_kernels table (backends/cpu/backend.h).
#include "backends/cpu/backend.h"
#include "backends/cpu/winograd/winograd_conv.h"

namespace kiln::cpu {

std::span<const PreparedKernelEntry> winograd_kernels() {
  static const PreparedKernelEntry kKernels[] = {
      {"kiln", "FusedConv", prepare_winograd_conv},  // channels-last dense 3x3 stride 1 only; declines the rest
  };
  return kKernels;
}

}  // namespace kiln::cpu
