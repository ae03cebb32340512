// Inference of LayerNormalization, BatchNormalization, InstanceNormalization, LRN and
// MeanVarianceNormalization.
#include "ops/reduction/reduction_ops.h"

namespace kiln {

namespace {

Status require_inputs(const InferContext& ctx, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    if (!ctx.has_input(i)) return ctx.error("input {} is required", i);
  }
  return Status::ok();
}

// Type of a per-channel vector ([C]) of dtype `elem`, C taken from X's dim 1 when known.
ir::TypeInfo channel_vector(const ir::TypeInfo& x, DType elem) {
  ir::Dim c;
  if (x.dims && x.dims->size() >= 2) c = (*x.dims)[1];
  return ir::TypeInfo::tensor(elem, {c});
}

}  // namespace

// Outputs: Y like X; Mean and InvStdDev shaped X.shape[:axis] + [1] * (rank - axis), of the
// stash type (float32 by default).
Status infer_layer_normalization(InferContext& ctx) {
  KILN_TRY(require_inputs(ctx, 2));
  const ir::TypeInfo& x = ctx.input_type(0);
  ctx.set_output(0, x);
  const int64_t stash = ctx.node().attr_int("stash_type", 1);
  const DType stat_type = dtype_is_valid(static_cast<int32_t>(stash)) ? static_cast<DType>(stash) : DType::kFloat32;
  if (!x.dims) {
    ctx.set_output(1, ir::TypeInfo::tensor_unknown_shape(stat_type));
    ctx.set_output(2, ir::TypeInfo::tensor_unknown_shape(stat_type));
    return Status::ok();
  }
  auto axis = normalize_axis(ctx.node().attr_int("axis", -1), x.rank());
  if (!axis || x.rank() == 0) return ctx.error("axis {} is out of range for rank {}", ctx.node().attr_int("axis", -1), x.rank());
  std::vector<ir::Dim> dims;
  for (int64_t i = 0; i < x.rank(); ++i) dims.push_back(i < *axis ? (*x.dims)[static_cast<size_t>(i)] : ir::Dim(1));
  ctx.set_output(1, ir::TypeInfo::tensor(stat_type, dims));
  ctx.set_output(2, ir::TypeInfo::tensor(stat_type, dims));
  return Status::ok();
}

// Outputs: Y like X; then (training mode, opset >= 14) running_mean and running_var of the mean's
// dtype, shaped [C]; before opset 14 the optional outputs are mean, var, saved_mean, saved_var.
Status infer_batch_normalization(InferContext& ctx) {
  KILN_TRY(require_inputs(ctx, 5));
  const ir::TypeInfo& x = ctx.input_type(0);
  ctx.set_output(0, x);
  const ir::TypeInfo& mean = ctx.input_type(3);
  for (size_t o = 1; o < ctx.num_outputs(); ++o) {
    ctx.set_output(o, mean.dims ? mean : channel_vector(x, mean.elem));
  }
  return Status::ok();
}

Status infer_instance_normalization(InferContext& ctx) {
  KILN_TRY(require_inputs(ctx, 3));
  return infer_same_as_input(ctx);
}

Status infer_lrn(InferContext& ctx) {
  KILN_TRY(require_inputs(ctx, 1));
  if (ctx.node().attr_int("size", 0) <= 0) return ctx.error("attribute 'size' must be a positive integer");
  return infer_same_as_input(ctx);
}

Status infer_mean_variance_normalization(InferContext& ctx) {
  KILN_TRY(require_inputs(ctx, 1));
  return infer_same_as_input(ctx);
}

}  // namespace kiln
