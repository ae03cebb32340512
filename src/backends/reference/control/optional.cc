// Optional kernels. An empty optional is Value(); one holding a value is that value.
#include "backends/reference/control/control_kernels.h"

namespace kiln::reference {

Status optional(KernelContext& ctx) {
  ctx.set_output(0, ctx.has_input(0) ? ctx.input_value(0) : Value());
  return Status::ok();
}

Status optional_get_element(KernelContext& ctx) {
  if (!ctx.has_input(0)) return ctx.error("the optional input is empty");
  ctx.set_output(0, ctx.input_value(0));
  return Status::ok();
}

Status optional_has_element(KernelContext& ctx) {
  ctx.set_output(0, Tensor::scalar<bool>(ctx.has_input(0)));
  return Status::ok();
}

}  // namespace kiln::reference
