// Inference of Reduce* and ArgMax/ArgMin.
#include <algorithm>

#include "ops/reduction/reduction_ops.h"

namespace kiln {

namespace {

ir::TypeInfo unknown_dims(DType elem, int64_t rank) {
  return ir::TypeInfo::tensor(elem, std::vector<ir::Dim>(static_cast<size_t>(rank)));
}

}  // namespace

// Axes come from input 1 when it is present (ReduceSum from opset 13, every Reduce* from 18),
// otherwise from the `axes` attribute. Empty axes mean "all axes" unless noop_with_empty_axes.
Status infer_reduce(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.error("input 0 (data) is required");
  const ir::TypeInfo& x = ctx.input_type(0);
  const bool keepdims = ctx.node().attr_int("keepdims", 1) != 0;
  const bool noop = ctx.node().attr_int("noop_with_empty_axes", 0) != 0;
  if (!x.dims) {
    ctx.set_output(0, ir::TypeInfo::tensor_unknown_shape(x.elem));
    return Status::ok();
  }
  const int64_t rank = x.rank();
  std::vector<int64_t> axes;
  if (ctx.has_input(1)) {
    auto values = constant_ints(ctx, 1);
    if (!values) {
      // Axes known only at run time: with keepdims the rank is kept, otherwise it is unknown.
      ctx.set_output(0, keepdims ? unknown_dims(x.elem, rank) : ir::TypeInfo::tensor_unknown_shape(x.elem));
      return Status::ok();
    }
    axes = *values;
  } else {
    axes = ctx.node().attr_ints("axes");
  }
  if (axes.empty() && noop) {
    ctx.set_output(0, x);
    return Status::ok();
  }
  std::vector<bool> reduced(static_cast<size_t>(rank), axes.empty());
  for (int64_t a : axes) {
    auto axis = normalize_axis(a, rank);
    if (!axis) return ctx.error("axes: {}", axis.status().message());
    if (*axis < rank) reduced[static_cast<size_t>(*axis)] = true;
  }
  std::vector<ir::Dim> dims;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced[static_cast<size_t>(i)]) {
      dims.push_back((*x.dims)[static_cast<size_t>(i)]);
    } else if (keepdims) {
      dims.push_back(ir::Dim(1));
    }
  }
  ctx.set_output(0, ir::TypeInfo::tensor(x.elem, dims));
  return Status::ok();
}

Status infer_arg_reduce(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.error("input 0 (data) is required");
  const ir::TypeInfo& x = ctx.input_type(0);
  const bool keepdims = ctx.node().attr_int("keepdims", 1) != 0;
  if (!x.dims) {
    ctx.set_output(0, ir::TypeInfo::tensor_unknown_shape(DType::kInt64));
    return Status::ok();
  }
  auto axis = normalize_axis(ctx.node().attr_int("axis", 0), x.rank());
  if (!axis) return ctx.error("axis: {}", axis.status().message());
  std::vector<ir::Dim> dims;
  for (int64_t i = 0; i < x.rank(); ++i) {
    if (i != *axis) {
      dims.push_back((*x.dims)[static_cast<size_t>(i)]);
    } else if (keepdims) {
      dims.push_back(ir::Dim(1));
    }
  }
  ctx.set_output(0, ir::TypeInfo::tensor(DType::kInt64, dims));
  return Status::ok();
}

Status infer_softmax_like(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.error("input 0 is required");
  const ir::TypeInfo& x = ctx.input_type(0);
  if (x.dims) {
    const int64_t fallback = ctx.opset() >= 13 ? -1 : 1;
    const int64_t rank = x.rank();
    const int64_t axis = ctx.node().attr_int("axis", fallback);
    // Before opset 13 the input is coerced to 2-D at `axis`, which may equal the rank.
    const bool ok = ctx.opset() >= 13 ? (axis >= -rank && axis < rank) : (axis >= -rank && axis <= rank);
    if (!ok && rank != 0) {
      return ctx.error("axis {} is out of range for rank {}", axis, rank);
    }
  }
  ctx.set_output(0, x);
  return Status::ok();
}

}  // namespace kiln
