// Inference for Optional, OptionalGetElement, OptionalHasElement. At run time an optional
// holding a value is the value itself, so the getters also accept plain tensors/sequences.
#include "ops/control/control_ops.h"

namespace kiln {

Status infer_optional(InferContext& ctx) {
  if (ctx.has_input(0)) {
    ctx.set_output(0, ir::TypeInfo::optional_of(ctx.input_type(0)));
    return Status::ok();
  }
  const ir::Attribute* type = ctx.node().attr("type");
  if (!type) return ctx.error("without an input, the 'type' attribute is required");
  ctx.set_output(0, ir::TypeInfo::optional_of(type->type));
  return Status::ok();
}

Status infer_optional_get_element(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.error("input 0 is missing");
  const ir::TypeInfo& t = ctx.input_type(0);
  if (t.kind == ir::TypeInfo::Kind::kOptional) {
    ctx.set_output(0, t.inner ? *t.inner : ir::TypeInfo());
  } else {
    ctx.set_output(0, t);
  }
  return Status::ok();
}

Status infer_optional_has_element(InferContext& ctx) {
  ctx.set_output(0, ir::TypeInfo::tensor(DType::kBool, {}));
  return Status::ok();
}

}  // namespace kiln
