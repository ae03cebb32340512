#include "backends/cpu/channels_last_conv.h"

namespace kiln::cpu {

std::optional<ChannelsLastConvOperands> channels_last_conv_operands(const PrepareContext& pctx) {
  const ir::Node& node = pctx.node;
  if (node.domain != "kiln" || node.op_type != "FusedConv" || node.attr_int("channels_last", 0) != 1) return std::nullopt;
  const ir::TypeInfo* xt = pctx.input_type(0);
  if (!xt || !xt->is_tensor() || xt->elem != DType::kFloat32 || xt->rank() != 4) return std::nullopt;
  const ir::Dim& cdim = (*xt->dims)[3];
  if (!cdim.known() || cdim.value < 1) return std::nullopt;
  ChannelsLastConvOperands ops;
  ops.c = cdim.value;
  ops.w = pctx.constant(1);
  if (!ops.w || ops.w->dtype() != DType::kFloat32 || ops.w->rank() != 4) return std::nullopt;
  const int64_t m = ops.w->dim(0);
  if (pctx.input_type(2)) {
    ops.b = pctx.constant(2);
    if (!ops.b || ops.b->dtype() != DType::kFloat32 || ops.b->rank() != 1 || ops.b->numel() != m) return std::nullopt;
  }
  if (const ir::TypeInfo* zt = pctx.input_type(3); zt && (!zt->is_tensor() || zt->elem != DType::kFloat32)) {
    return std::nullopt;
  }
  auto act = Activation::from_node(node);
  if (!act) return std::nullopt;
  ops.act = *act;
  return ops;
}

Expected<const float*> sum_input(KernelContext& ctx, const Shape& out_shape) {
  if (!ctx.has_input(3)) return static_cast<const float*>(nullptr);
  const Tensor& z = ctx.input(3);
  if (z.dtype() != DType::kFloat32 || z.shape() != out_shape) {
    return ctx.error("sum input Z {} must be float32 with the output's shape {}", z.describe(), shape_str(out_shape));
  }
  return z.data<float>();
}

}  // namespace kiln::cpu
