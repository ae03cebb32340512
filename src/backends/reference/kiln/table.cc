// Reference kernels of the kiln family, one row per op.
#include "backends/reference/families.h"
#include "backends/reference/kiln/kiln_kernels.h"

namespace kiln::reference {

std::span<const KernelEntry> kiln_kernels() {
  static const KernelEntry kKernels[] = {
      {"kiln", "FusedConv", fused_conv},
      {"kiln", "FusedMatMul", fused_matmul},
      {"kiln", "Attention", attention},
      {"kiln", "PointwiseDepthwise", pointwise_depthwise},
      {"kiln", "Gelu", gelu},
      {"kiln", "Silu", silu},
      {"kiln", "NhwcMaxPool", channels_last_op},
      {"kiln", "NhwcAveragePool", channels_last_op},
      {"kiln", "NhwcGlobalAveragePool", channels_last_op},
      {"kiln", "NhwcGlobalMaxPool", channels_last_op},
      {"kiln", "NhwcConvTranspose", channels_last_op},
      {"kiln", "NhwcResize", channels_last_op},
      {"kiln", "NhwcLRN", channels_last_op},
      {"kiln", "NhwcInstanceNormalization", channels_last_op},
      {"kiln", "NhwcBatchNormalization", channels_last_op},
      {"kiln", "Aipp", aipp},
  };
  return kKernels;
}

}  // namespace kiln::reference
