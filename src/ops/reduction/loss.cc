// Inference of NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss.
#include "ops/reduction/reduction_ops.h"

namespace kiln {

namespace {

// Loss shape: the target's shape for reduction "none", a scalar for "sum" and "mean".
Status set_loss_output(InferContext& ctx, const ir::TypeInfo& input, const ir::TypeInfo& target) {
  const std::string reduction = ctx.node().attr_string("reduction", "mean");
  if (reduction == "none") {
    if (target.dims) {
      ctx.set_output(0, ir::TypeInfo::tensor(input.elem, *target.dims));
    } else if (input.dims && input.rank() >= 2) {
      std::vector<ir::Dim> dims = *input.dims;
      dims.erase(dims.begin() + 1);
      ctx.set_output(0, ir::TypeInfo::tensor(input.elem, dims));
    } else {
      ctx.set_output(0, ir::TypeInfo::tensor_unknown_shape(input.elem));
    }
  } else if (reduction == "sum" || reduction == "mean") {
    ctx.set_output(0, ir::TypeInfo::tensor(input.elem, {}));
  } else {
    return ctx.error("reduction is '{}', expected 'none', 'sum' or 'mean'", reduction);
  }
  return Status::ok();
}

Status check_inputs(const InferContext& ctx) {
  if (!ctx.has_input(0) || !ctx.has_input(1)) return ctx.error("inputs 0 and 1 are required");
  const ir::TypeInfo& input = ctx.input_type(0);
  const ir::TypeInfo& target = ctx.input_type(1);
  if (target.elem != DType::kInt32 && target.elem != DType::kInt64 && target.elem != DType::kUndefined) {
    return ctx.error("target must be int32 or int64, got {}", dtype_name(target.elem));
  }
  if (input.dims && input.rank() < 2) return ctx.error("input must have rank >= 2, got {}", input.rank());
  if (input.dims && target.dims && target.rank() != input.rank() - 1) {
    return ctx.error("target rank is {}, expected input rank - 1 = {}", target.rank(), input.rank() - 1);
  }
  return Status::ok();
}

}  // namespace

Status infer_negative_log_likelihood_loss(InferContext& ctx) {
  KILN_TRY(check_inputs(ctx));
  return set_loss_output(ctx, ctx.input_type(0), ctx.input_type(1));
}

// Output 1 (log_prob) has the scores' type.
Status infer_softmax_cross_entropy_loss(InferContext& ctx) {
  KILN_TRY(check_inputs(ctx));
  KILN_TRY(set_loss_output(ctx, ctx.input_type(0), ctx.input_type(1)));
  ctx.set_output(1, ctx.input_type(0));
  return Status::ok();
}

// Output like the input; the mask is bool from opset 10 (the input's type before).
Status infer_dropout(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.error("input 0 (data) is required");
  const ir::TypeInfo& x = ctx.input_type(0);
  ctx.set_output(0, x);
  ir::TypeInfo mask = x;
  if (ctx.opset() >= 10) mask.elem = DType::kBool;
  ctx.set_output(1, mask);
  return Status::ok();
}

}  // namespace kiln
