// Clip: output is the input's type. Opset < 11 takes min/max attributes; 11+ optional scalar inputs.
#include "ops/elementwise/elementwise_ops.h"

namespace kiln {

Status infer_clip(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.error("input 0 (input) is required");
  const ir::TypeInfo& x = ctx.input_type(0);
  for (size_t i = 1; i < 3; ++i) {
    if (!ctx.has_input(i)) continue;
    const ir::TypeInfo& b = ctx.input_type(i);
    const char* name = i == 1 ? "min" : "max";
    if (b.elem != DType::kUndefined && x.elem != DType::kUndefined && b.elem != x.elem) {
      return ctx.error("{} is {} but input is {}; they must have the same type", name, dtype_name(b.elem),
                       dtype_name(x.elem));
    }
    if (b.dims) {
      for (const ir::Dim& d : *b.dims) {
        if (d.known() && d.value != 1) return ctx.error("{} must be a scalar, got {}", name, b.str());
      }
    }
  }
  ir::TypeInfo out = x;
  out.kind = ir::TypeInfo::Kind::kTensor;
  ctx.set_output(0, out);
  return Status::ok();
}

}  // namespace kiln
