// Unary elementwise ops: the output has the input's shape; dtype is the input's (or bool).
#include "ops/elementwise/elementwise_ops.h"

namespace kiln {

namespace {

Status unary_type(InferContext& ctx, DType out_elem) {
  if (!ctx.has_input(0)) return ctx.error("input 0 (X) is required");
  const ir::TypeInfo& x = ctx.input_type(0);
  if (x.kind == ir::TypeInfo::Kind::kSequence || x.kind == ir::TypeInfo::Kind::kOptional) {
    return ctx.error("input X must be a tensor, got {}", x.str());
  }
  ir::TypeInfo out = x;
  out.kind = ir::TypeInfo::Kind::kTensor;
  if (out_elem != DType::kUndefined) out.elem = out_elem;
  ctx.set_output(0, out);
  return Status::ok();
}

}  // namespace

Status infer_unary(InferContext& ctx) { return unary_type(ctx, DType::kUndefined); }

Status infer_unary_to_bool(InferContext& ctx) { return unary_type(ctx, DType::kBool); }

}  // namespace kiln
