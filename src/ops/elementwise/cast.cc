// Cast (dtype from the `to` attribute) and CastLike (dtype of input 1). Small constant inputs are
// folded so that shape computations stay static.
#include "ops/elementwise/elementwise_ops.h"

namespace kiln {

namespace {

constexpr int64_t kMaxFoldElements = 64;

Status cast_type(InferContext& ctx, DType to) {
  if (!ctx.has_input(0)) return ctx.error("input 0 (input) is required");
  const ir::TypeInfo& x = ctx.input_type(0);
  if (x.kind == ir::TypeInfo::Kind::kSequence || x.kind == ir::TypeInfo::Kind::kOptional) {
    return ctx.error("input must be a tensor, got {}", x.str());
  }
  ctx.set_output(0, x.dims ? ir::TypeInfo::tensor(to, *x.dims) : ir::TypeInfo::tensor_unknown_shape(to));
  const Tensor* c = ctx.input_constant(0);
  if (c && c->valid() && c->numel() <= kMaxFoldElements && to != DType::kUndefined) {
    ctx.set_output_constant(0, cast_tensor(*c, to));
  }
  return Status::ok();
}

}  // namespace

Status infer_cast(InferContext& ctx) {
  const ir::Attribute* to = ctx.node().attr("to");
  if (!to) return ctx.error("attribute 'to' is required");
  if (to->kind != ir::Attribute::Kind::kInt) return ctx.error("attribute 'to' must be an int");
  if (to->i > INT32_MAX || to->i < 0 || !dtype_is_valid(static_cast<int32_t>(to->i))) {
    return ctx.error("attribute 'to' is {}, which is not a data type Kiln supports", to->i);
  }
  return cast_type(ctx, static_cast<DType>(to->i));
}

Status infer_cast_like(InferContext& ctx) {
  if (ctx.num_inputs() < 2 || !ctx.has_input(1)) return ctx.error("input 1 (target_type) is required");
  return cast_type(ctx, ctx.input_type(1).elem);
}

}  // namespace kiln
