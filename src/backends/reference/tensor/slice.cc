// Slice (attributes before opset 10, inputs from 10 on), Expand and Tile: strided views.
#include <fmt/ranges.h>

#include "backends/reference/tensor/strided.h"
#include "backends/reference/tensor/tensor_args.h"
#include "backends/reference/tensor/tensor_kernels.h"
#include "ops/tensor/tensor_ops.h"

namespace kiln::reference {

namespace {

Status emit_view(KernelContext& ctx, const Tensor& x, const StridedView& view, const Shape& out_shape) {
  Tensor y = materialize(x, view, out_shape);
  if (!y.valid()) return ctx.unsupported_error("dtype {}", dtype_name(x.dtype()));
  ctx.set_output(0, Value(std::move(y)));
  return Status::ok();
}

}  // namespace

Status slice(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, ctx.opset() < 10 ? 1 : 3));
  const Tensor& x = ctx.input(0);
  KILN_ASSIGN_OR_RETURN(const std::vector<SliceDim> plan, slice_plan_of(ctx, x.shape()));
  const std::vector<int64_t> strides = shape_strides(x.shape());
  StridedView view;
  for (size_t d = 0; d < plan.size(); ++d) {
    const SliceDim& p = plan[d];
    if (p.count > 0) view.offset += p.start * strides[d];
    view.shape.push_back(p.count);
    view.strides.push_back(p.step * strides[d]);
  }
  return emit_view(ctx, x, view, view.shape);
}

Status expand(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 2));
  const Tensor& x = ctx.input(0);
  std::vector<int64_t> spec = ctx.input(1).to_int64_vector();
  for (int64_t s : spec) {
    if (s < 0) return ctx.error("shape entry {} is negative", s);
  }
  auto out = broadcast_shapes(x.shape(), spec);
  if (!out) return ctx.error("cannot expand {} to shape [{}]: {}", x.describe(), fmt::join(spec, ","),
                             out.status().message());
  StridedView view{0, *out, broadcast_strides(x.shape(), *out)};
  return emit_view(ctx, x, view, *out);
}

// Tile as a view: dim d of length n repeated r times reads as dims (r, n) with strides (0, stride).
Status tile(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 2));
  const Tensor& x = ctx.input(0);
  std::vector<int64_t> repeats = ctx.input(1).to_int64_vector();
  if (static_cast<int64_t>(repeats.size()) != x.rank()) {
    return ctx.error("repeats has {} entries but the input has rank {}", repeats.size(), x.rank());
  }
  const std::vector<int64_t> strides = shape_strides(x.shape());
  StridedView view;
  Shape out;
  for (int64_t d = 0; d < x.rank(); ++d) {
    const int64_t r = repeats[static_cast<size_t>(d)];
    if (r < 0) return ctx.error("repeats[{}] is negative ({})", d, r);
    view.shape.insert(view.shape.end(), {r, x.dim(d)});
    view.strides.insert(view.strides.end(), {0, strides[static_cast<size_t>(d)]});
    out.push_back(r * x.dim(d));
  }
  return emit_view(ctx, x, view, out);
}

}  // namespace kiln::reference
