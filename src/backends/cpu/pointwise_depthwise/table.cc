// Rows of the CPU backend's pointwise_depthwise_kernels table (backends/cpu/backend.h).
#include "backends/cpu/backend.h"
#include "backends/cpu/pointwise_depthwise/pointwise_depthwise_conv.h"

namespace kiln::cpu {

std::span<const PreparedKernelEntry> pointwise_depthwise_kernels() {
  static const PreparedKernelEntry kKernels[] = {
      {"kiln", "PointwiseDepthwise", prepare_pointwise_depthwise},
  };
  return kKernels;
}

}  // namespace kiln::cpu
