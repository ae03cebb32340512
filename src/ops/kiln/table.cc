// The kiln family: Kiln's own fused operators (domain "kiln"), one row per op.
#include "ops/families.h"
#include "ops/kiln/kiln_ops.h"

namespace kiln {

std::span<const OpSchema> kiln_ops() {
  static const OpSchema kOps[] = {
      {"kiln", "FusedConv", infer_fused_conv},
      {"kiln", "FusedMatMul", infer_fused_matmul},
      {"kiln", "Attention", infer_attention},
      {"kiln", "PointwiseDepthwise", infer_pointwise_depthwise},
      {"kiln", "Gelu", infer_kiln_unary},
      {"kiln", "Silu", infer_kiln_unary},
      {"kiln", "NhwcMaxPool", infer_channels_last},
      {"kiln", "NhwcAveragePool", infer_channels_last},
      {"kiln", "NhwcGlobalAveragePool", infer_channels_last},
      {"kiln", "NhwcGlobalMaxPool", infer_channels_last},
      {"kiln", "NhwcConvTranspose", infer_channels_last},
      {"kiln", "NhwcResize", infer_channels_last},
      {"kiln", "NhwcLRN", infer_channels_last},
      {"kiln", "NhwcInstanceNormalization", infer_channels_last},
      {"kiln", "NhwcBatchNormalization", infer_channels_last},
      {"kiln", "Aipp", infer_aipp},
  };
  return kOps;
}

}  // namespace kiln
