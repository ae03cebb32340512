// Shape inference of GridSample, RoiAlign and NonMaxSuppression.
#include "ops/nn/nn_ops.h"

namespace kiln {

Status infer_grid_sample(InferContext& ctx) {
  if (!ctx.has_input(0) || !ctx.has_input(1)) return ctx.error("inputs X and grid are required");
  const ir::TypeInfo& x = ctx.input_type(0);
  const ir::TypeInfo& grid = ctx.input_type(1);
  if (!x.dims && !grid.dims) {
    ctx.set_output(0, ir::TypeInfo::tensor_unknown_shape(x.elem));
    return Status::ok();
  }
  size_t rank = x.dims ? x.dims->size() : grid.dims->size();
  if (rank < 3) return ctx.error("X must have rank >= 3, got {}", x.str());
  if (grid.dims && grid.dims->size() != rank) return ctx.error("grid {} must have the rank of X {}", grid.str(), x.str());
  std::vector<ir::Dim> out(rank);
  out[0] = x.dims ? (*x.dims)[0] : (*grid.dims)[0];
  if (x.dims) out[1] = (*x.dims)[1];
  if (grid.dims) {
    for (size_t i = 2; i < rank; ++i) out[i] = (*grid.dims)[i - 1];
  }
  ctx.set_output(0, ir::TypeInfo::tensor(x.elem, out));
  return Status::ok();
}

Status infer_roi_align(InferContext& ctx) {
  if (!ctx.has_input(0) || !ctx.has_input(1) || !ctx.has_input(2)) return ctx.error("inputs X, rois and batch_indices are required");
  const ir::TypeInfo& x = ctx.input_type(0);
  const ir::TypeInfo& rois = ctx.input_type(1);
  if (x.dims && x.dims->size() != 4) return ctx.error("X must be 4-D, got {}", x.str());
  if (rois.dims && rois.dims->size() != 2) return ctx.error("rois must be 2-D, got {}", rois.str());
  ir::Dim n = rois.dims ? (*rois.dims)[0] : ir::Dim();
  ir::Dim c = x.dims ? (*x.dims)[1] : ir::Dim();
  int64_t h = ctx.node().attr_int("output_height", 1), w = ctx.node().attr_int("output_width", 1);
  ctx.set_output(0, ir::TypeInfo::tensor(x.elem, {n, c, ir::Dim(h), ir::Dim(w)}));
  return Status::ok();
}

Status infer_non_max_suppression(InferContext& ctx) {
  if (!ctx.has_input(0) || !ctx.has_input(1)) return ctx.error("inputs boxes and scores are required");
  ctx.set_output(0, ir::TypeInfo::tensor(DType::kInt64, {ir::Dim(), ir::Dim(3)}));
  return Status::ok();
}

}  // namespace kiln
