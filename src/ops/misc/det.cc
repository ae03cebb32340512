// Det: determinant of square matrices in the last two axes.
#include "ops/misc/misc_ops.h"

namespace kiln {

Status infer_det(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.error("input 0 (X) is required");
  const ir::TypeInfo& in = ctx.input_type(0);
  if (in.elem != DType::kUndefined && !dtype_is_float(in.elem)) {
    return ctx.error("X must be a float tensor, got {}", dtype_name(in.elem));
  }
  if (!in.dims) {
    ctx.set_output(0, ir::TypeInfo::tensor_unknown_shape(in.elem));
    return Status::ok();
  }
  const auto& d = *in.dims;
  if (d.size() < 2) return ctx.error("X must have rank >= 2, got {}", d.size());
  const ir::Dim m = d[d.size() - 2], n = d[d.size() - 1];
  if (m.known() && n.known() && m.value != n.value) {
    return ctx.error("X must be square in its last two axes, got {}x{}", m.value, n.value);
  }
  ctx.set_output(0, ir::TypeInfo::tensor(in.elem, std::vector<ir::Dim>(d.begin(), d.end() - 2)));
  return Status::ok();
}

}  // namespace kiln
