// Shape inference for the random generators: Bernoulli, RandomUniform(Like), RandomNormal(Like),
// Multinomial. Their values are data dependent, but dtype and shape are not.
#include "ops/misc/misc_ops.h"

namespace kiln {

namespace {

// The `dtype` attribute, or `fallback` when absent.
Expected<DType> dtype_attr(const InferContext& ctx, DType fallback) {
  if (!ctx.node().has_attr("dtype")) return fallback;
  int64_t code = ctx.node().attr_int("dtype", 0);
  if (!dtype_is_valid(static_cast<int32_t>(code)) || code == static_cast<int64_t>(DType::kString)) {
    return ctx.error("dtype {} is not a supported numeric tensor type", code);
  }
  return static_cast<DType>(code);
}

}  // namespace

Status infer_bernoulli(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.error("input 0 (input) is required");
  const ir::TypeInfo& in = ctx.input_type(0);
  if (in.elem != DType::kUndefined && !dtype_is_float(in.elem)) {
    return ctx.error("input must be a float tensor of probabilities, got {}", dtype_name(in.elem));
  }
  KILN_ASSIGN_OR_RETURN(DType dt, dtype_attr(ctx, in.elem));
  ir::TypeInfo out = in;
  out.elem = dt;
  ctx.set_output(0, out);
  return Status::ok();
}

Status infer_random_like(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.error("input 0 (input) is required");
  const ir::TypeInfo& in = ctx.input_type(0);
  KILN_ASSIGN_OR_RETURN(DType dt, dtype_attr(ctx, in.elem));
  if (dt != DType::kUndefined && !dtype_is_float(dt)) {
    return ctx.error("output dtype must be a float type, got {}", dtype_name(dt));
  }
  ir::TypeInfo out = in;
  out.kind = ir::TypeInfo::Kind::kTensor;
  out.elem = dt;
  ctx.set_output(0, out);
  return Status::ok();
}

Status infer_random(InferContext& ctx) {
  if (!ctx.node().has_attr("shape")) return ctx.error("attribute shape is required");
  std::vector<int64_t> shape = ctx.node().attr_ints("shape");
  for (int64_t d : shape) {
    if (d < 0) return ctx.error("shape entries must be >= 0, got {}", d);
  }
  KILN_ASSIGN_OR_RETURN(DType dt, dtype_attr(ctx, DType::kFloat32));
  if (!dtype_is_float(dt)) return ctx.error("dtype must be a float type, got {}", dtype_name(dt));
  ctx.set_output(0, ir::TypeInfo::tensor_of(dt, shape));
  return Status::ok();
}

Status infer_multinomial(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.error("input 0 (input) is required");
  const ir::TypeInfo& in = ctx.input_type(0);
  KILN_ASSIGN_OR_RETURN(DType dt, dtype_attr(ctx, DType::kInt32));
  if (dt != DType::kInt32 && dt != DType::kInt64) return ctx.error("dtype must be int32 or int64, got {}", dtype_name(dt));
  const int64_t samples = ctx.node().attr_int("sample_size", 1);
  if (samples < 0) return ctx.error("sample_size must be >= 0, got {}", samples);
  ir::Dim batch;
  if (in.dims) {
    if (in.dims->size() != 2) return ctx.error("input must be [batch_size, class_size], got rank {}", in.dims->size());
    batch = (*in.dims)[0];
  }
  ctx.set_output(0, ir::TypeInfo::tensor(dt, {batch, ir::Dim(samples)}));
  return Status::ok();
}

}  // namespace kiln
