// Shape inference of QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear.
#include "ops/nn/nn_ops.h"

namespace kiln {

Status infer_quantize_linear(InferContext& ctx) {
  if (!ctx.has_input(0) || !ctx.has_input(1)) return ctx.error("inputs x and y_scale are required");
  DType out = ctx.has_input(2) ? ctx.input_type(2).elem : DType::kUInt8;
  ir::TypeInfo t = ctx.input_type(0);
  t.elem = out;
  ctx.set_output(0, t);
  return Status::ok();
}

Status infer_dequantize_linear(InferContext& ctx) {
  if (!ctx.has_input(0) || !ctx.has_input(1)) return ctx.error("inputs x and x_scale are required");
  ir::TypeInfo t = ctx.input_type(0);
  t.elem = ctx.input_type(1).elem;  // float32 before opset 19; the scale's type after
  ctx.set_output(0, t);
  return Status::ok();
}

Status infer_dynamic_quantize_linear(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.error("input x is required");
  ir::TypeInfo t = ctx.input_type(0);
  t.elem = DType::kUInt8;
  ctx.set_output(0, t);
  ctx.set_output(1, ir::TypeInfo::tensor(DType::kFloat32, {}));
  ctx.set_output(2, ir::TypeInfo::tensor(DType::kUInt8, {}));
  return Status::ok();
}

}  // namespace kiln
