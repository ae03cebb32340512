// Cast (to the `to` attribute's dtype) and CastLike (to input 1's dtype). The conversion rules
// live in core's cast_tensor, shared with the rest of Kiln.
#include "backends/reference/elementwise/elementwise_kernels.h"

namespace kiln::reference {

namespace {

Status cast_to(KernelContext& ctx, DType to) {
  const Tensor& x = ctx.input(0);
  if (!dtype_is_valid(static_cast<int32_t>(x.dtype()))) {
    return ctx.unsupported_error("input dtype {} is not supported", dtype_name(x.dtype()));
  }
  if (x.dtype() == to) {
    ctx.set_output(0, ctx.input_value(0));  // values are immutable: share the input
    return Status::ok();
  }
  ctx.set_output(0, Value(cast_tensor(x, to)));
  return Status::ok();
}

}  // namespace

Status cast_op(KernelContext& ctx) {
  const ir::Attribute* to = ctx.node().attr("to");
  if (!to || to->kind != ir::Attribute::Kind::kInt) return ctx.error("attribute 'to' (int) is required");
  if (to->i < 0 || to->i > INT32_MAX || !dtype_is_valid(static_cast<int32_t>(to->i))) {
    return ctx.unsupported_error("attribute 'to' is {}, which is not a data type Kiln supports", to->i);
  }
  return cast_to(ctx, static_cast<DType>(to->i));
}

Status cast_like_op(KernelContext& ctx) {
  if (!ctx.has_input(1)) return ctx.error("input 1 (target_type) is required");
  return cast_to(ctx, ctx.input(1).dtype());
}

}  // namespace kiln::reference
