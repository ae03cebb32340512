// Shape inference of Resize and Upsample.
#include "ops/nn/nn_ops.h"
#include "ops/nn/resize_target.h"

namespace kiln {

Status infer_resize(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.error("input X is required");
  const ir::TypeInfo& x = ctx.input_type(0);
  const ir::Node& node = ctx.node();
  int si = resize_scales_input(node), zi = resize_sizes_input(node);
  const Tensor* scales = si >= 0 && ctx.has_input(static_cast<size_t>(si)) ? ctx.input_constant(static_cast<size_t>(si)) : nullptr;
  const Tensor* sizes = zi >= 0 && ctx.has_input(static_cast<size_t>(zi)) ? ctx.input_constant(static_cast<size_t>(zi)) : nullptr;
  bool sizes_present = zi >= 0 && ctx.has_input(static_cast<size_t>(zi));
  bool scales_present = si >= 0 && ctx.has_input(static_cast<size_t>(si));
  // Known when: sizes known non-empty, or scales known non-empty and sizes absent/empty-known.
  bool sizes_usable = sizes && sizes->numel() > 0;
  bool scales_usable = (node.op_type == "Upsample" && node.opset < 9) ||
                       (scales && scales->numel() > 0 && (!sizes_present || (sizes && sizes->numel() == 0)));
  (void)scales_present;
  if (!x.dims) {
    ctx.set_output(0, ir::TypeInfo::tensor_unknown_shape(x.elem));
    return Status::ok();
  }
  if (!sizes_usable && !scales_usable) {
    ctx.set_output(0, ir::TypeInfo::tensor(x.elem, std::vector<ir::Dim>(x.dims->size())));
    return Status::ok();
  }
  std::vector<int64_t> in;
  for (const ir::Dim& d : *x.dims) in.push_back(d.known() ? d.value : 0);
  KILN_ASSIGN_OR_RETURN(ResizeTarget t, resize_target(node, in, scales_usable ? scales : nullptr, sizes_usable ? sizes : nullptr));
  std::vector<ir::Dim> out;
  for (size_t i = 0; i < in.size(); ++i) {
    bool known = (*x.dims)[i].known() || sizes_usable;
    if (!sizes_usable && t.scales[i] == 1.0) out.push_back((*x.dims)[i]);
    else out.push_back(known ? ir::Dim(t.out[i]) : ir::Dim());
  }
  ctx.set_output(0, ir::TypeInfo::tensor(x.elem, out));
  return Status::ok();
}

}  // namespace kiln
