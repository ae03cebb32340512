// Rows of the CPU backend's pool_kernels table (backends/cpu/backend.h).
#include "backends/cpu/backend.h"
#include "backends/cpu/pool/max_pool_op.h"

namespace kiln::cpu {

std::span<const PreparedKernelEntry> pool_kernels() {
  static const PreparedKernelEntry kKernels[] = {
      {"kiln", "NhwcMaxPool", prepare_nhwc_max_pool},  // 2-D float32, no Indices; declines the rest
  };
  return kKernels;
}

}  // namespace kiln::cpu
