// Reshape, Flatten, Squeeze, Unsqueeze: the output shares the input's storage under a new shape.
// Shape and Size report the input's shape.
#include <algorithm>

#include "backends/reference/tensor/tensor_kernels.h"
#include "ops/tensor/tensor_ops.h"

namespace kiln::reference {

namespace {

// Squeeze/Unsqueeze axes: attribute before opset 13, optional input from 13 on.
std::optional<std::vector<int64_t>> axes_of(KernelContext& ctx) {
  if (ctx.opset() < 13) {
    if (!ctx.node().has_attr("axes")) return std::nullopt;
    return ctx.node().attr_ints("axes");
  }
  if (!ctx.has_input(1) || ctx.input(1).numel() == 0) return std::nullopt;  // empty = not given
  return ctx.input(1).to_int64_vector();
}

}  // namespace

Status reshape(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, ctx.opset() < 5 ? 1 : 2));
  const Tensor& x = ctx.input(0);
  std::vector<int64_t> spec =
      ctx.opset() < 5 ? ctx.node().attr_ints("shape") : ctx.input(1).to_int64_vector();
  const bool allowzero = ctx.opset() >= 14 && ctx.node().attr_int("allowzero", 0) != 0;
  auto out = reshape_output_shape(x.shape(), spec, allowzero);
  if (!out) return ctx.error("{}", out.status().message());
  ctx.set_output(0, Value(x.reshaped(*out)));
  return Status::ok();
}

Status flatten(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 1));
  const Tensor& x = ctx.input(0);
  int64_t axis = ctx.node().attr_int("axis", 1);
  if (axis < -x.rank() || axis > x.rank()) return ctx.error("axis {} is out of range for rank {}", axis, x.rank());
  if (axis < 0) axis += x.rank();
  int64_t outer = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= x.dim(i);
  int64_t inner = 1;
  for (int64_t i = axis; i < x.rank(); ++i) inner *= x.dim(i);
  ctx.set_output(0, Value(x.reshaped({outer, inner})));
  return Status::ok();
}

Status squeeze(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 1));
  const Tensor& x = ctx.input(0);
  auto axes = axes_of(ctx);
  std::vector<bool> drop(static_cast<size_t>(x.rank()), false);
  if (!axes) {
    for (int64_t i = 0; i < x.rank(); ++i) drop[static_cast<size_t>(i)] = x.dim(i) == 1;
  } else {
    auto norm = normalize_axes(*axes, x.rank());
    if (!norm) return ctx.error("axes: {}", norm.status().message());
    for (int64_t a : *norm) {
      if (x.dim(a) != 1) return ctx.error("cannot squeeze axis {} of length {}", a, x.dim(a));
      drop[static_cast<size_t>(a)] = true;
    }
  }
  Shape out;
  for (int64_t i = 0; i < x.rank(); ++i) {
    if (!drop[static_cast<size_t>(i)]) out.push_back(x.dim(i));
  }
  ctx.set_output(0, Value(x.reshaped(out)));
  return Status::ok();
}

Status unsqueeze(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 1));
  const Tensor& x = ctx.input(0);
  auto axes = axes_of(ctx);
  if (!axes) return ctx.error("axes are required");
  const int64_t out_rank = x.rank() + static_cast<int64_t>(axes->size());
  auto norm = normalize_axes(*axes, out_rank);
  if (!norm) return ctx.error("axes: {}", norm.status().message());
  std::vector<bool> inserted(static_cast<size_t>(out_rank), false);
  for (int64_t a : *norm) inserted[static_cast<size_t>(a)] = true;
  Shape out;
  int64_t next = 0;
  for (int64_t i = 0; i < out_rank; ++i) out.push_back(inserted[static_cast<size_t>(i)] ? 1 : x.dim(next++));
  ctx.set_output(0, Value(x.reshaped(out)));
  return Status::ok();
}

Status shape(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 1));
  const Tensor& x = ctx.input(0);
  const int64_t rank = x.rank();
  int64_t start = 0;
  int64_t end = rank;
  if (ctx.opset() >= 15) {
    start = ctx.node().attr_int("start", 0);
    end = ctx.node().attr_int("end", rank);
  }
  auto clampdim = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
  start = clampdim(start);
  end = std::max(clampdim(end), start);
  std::vector<int64_t> dims(x.shape().begin() + start, x.shape().begin() + end);
  ctx.set_output(0, Value(Tensor::from_vector<int64_t>(dims, {end - start})));
  return Status::ok();
}

Status size(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 1));
  ctx.set_output(0, Value(Tensor::scalar<int64_t>(ctx.input(0).numel())));
  return Status::ok();
}

}  // namespace kiln::reference
