// Reference kernels of the kiln family, one row per op.
#include "backends/reference/families.h"
#include "backends/reference/kiln/kiln_kernels.h"

namespace kiln::reference {

std::span<const KernelEntry> kiln_kernels() {
  static const KernelEntry kKernels[] = {
      {"kiln", "FusedConv", fused_conv},
      {"kiln", "FusedMatMul", fused_matmul},
      {"kiln", "Gelu", gelu},
      {"kiln", "Silu", silu},
  };
  return kKernels;
}

}  // namespace kiln::reference
