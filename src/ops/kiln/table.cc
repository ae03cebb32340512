// The kiln family: Kiln's own fused operators (domain "kiln"), one row per op.
#include "ops/families.h"
#include "ops/kiln/kiln_ops.h"

namespace kiln {

std::span<const OpSchema> kiln_ops() {
  static const OpSchema kOps[] = {
      {"kiln", "FusedConv", infer_fused_conv},
      {"kiln", "FusedMatMul", infer_fused_matmul},
      {"kiln", "Gelu", infer_kiln_unary},
      {"kiln", "Silu", infer_kiln_unary},
  };
  return kOps;
}

}  // namespace kiln
