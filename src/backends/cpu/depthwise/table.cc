// Rows of the CPU backend's depthwise_kernels table (backends/cpu/backend.h).
#include "backends/cpu/backend.h"
#include "backends/cpu/depthwise/depthwise_conv.h"

namespace kiln::cpu {

std::span<const PreparedKernelEntry> depthwise_kernels() {
  static const PreparedKernelEntry kKernels[] = {
      {"kiln", "FusedConv", prepare_depthwise_conv},  // channels-last depthwise only; declines the rest
  };
  return kKernels;
}

}  // namespace kiln::cpu
