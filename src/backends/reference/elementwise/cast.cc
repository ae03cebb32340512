// Cast (to the `to` attribute's dtype) and CastLike (to input 1's dtype). The conversion rules
// live in core's cast_tensor, shared with the rest of Kiln.
#include "backends/reference/elementwise/elementwise_kernels.h"
#include "ops/elementwise/elementwise_ops.h"

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
  ctx.set_output(0, Value(cast_op_value(x, to)));
  return Status::ok();
}

}  // namespace

Status cast_op(KernelContext& ctx) {
  KILN_ASSIGN_OR_RETURN(DType to, cast_target(ctx.node()));
  return cast_to(ctx, to);
}

Status cast_like_op(KernelContext& ctx) {
  if (!ctx.has_input(1)) return ctx.error("input 1 (target_type) is required");
  return cast_to(ctx, ctx.input(1).dtype());
}

}  // namespace kiln::reference
