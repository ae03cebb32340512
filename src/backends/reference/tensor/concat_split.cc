// Concat and Split: copies of contiguous blocks along one axis.
#include <algorithm>

#include "backends/reference/tensor/tensor_kernels.h"
#include "ops/tensor/tensor_ops.h"

namespace kiln::reference {

namespace {

// Product of dims [from, to).
int64_t span_numel(const Shape& s, int64_t from, int64_t to) {
  int64_t n = 1;
  for (int64_t i = from; i < to; ++i) n *= s[static_cast<size_t>(i)];
  return n;
}

}  // namespace

Status concat(KernelContext& ctx) {
  std::vector<const Tensor*> xs;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) continue;
    if (!ctx.input_value(i).is_tensor() || !ctx.input(i).valid()) return ctx.error("input {} must be a tensor", i);
    xs.push_back(&ctx.input(i));
  }
  if (xs.empty()) return ctx.error("needs at least one input");
  const Tensor& first = *xs[0];
  const int64_t rank = first.rank();
  int64_t axis = ctx.node().attr_int("axis", 0);
  if (axis < -rank || axis >= rank) return ctx.error("axis {} is out of range for rank {}", axis, rank);
  if (axis < 0) axis += rank;
  Shape out = first.shape();
  out[static_cast<size_t>(axis)] = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const Tensor& x = *xs[i];
    if (x.dtype() != first.dtype()) return ctx.error("input {} is {}, input 0 is {}", i, x.describe(), first.describe());
    bool same = x.rank() == rank;
    for (int64_t d = 0; same && d < rank; ++d) same = d == axis || x.dim(d) == first.dim(d);
    if (!same) return ctx.error("input {} is {}, incompatible with input 0 {} on axis {}", i, x.describe(),
                                first.describe(), axis);
    out[static_cast<size_t>(axis)] += x.dim(axis);
  }
  Tensor& y = ctx.allocate_output(0, first.dtype(), out);
  const int64_t outer = span_numel(out, 0, axis);
  const int64_t inner = span_numel(out, axis + 1, rank);
  const int64_t row = out[static_cast<size_t>(axis)] * inner;
  bool ok = KILN_DISPATCH_ALL(first.dtype(), T, {
    T* dst = y.data<T>();
    int64_t col = 0;
    for (const Tensor* x : xs) {
      const int64_t block = x->dim(axis) * inner;
      const T* src = x->data<T>();
      for (int64_t o = 0; o < outer; ++o) std::copy(src + o * block, src + (o + 1) * block, dst + o * row + col);
      col += block;
    }
  });
  if (!ok) return ctx.unsupported_error("dtype {}", dtype_name(first.dtype()));
  return Status::ok();
}

Status split(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 1));
  const Tensor& x = ctx.input(0);
  const int64_t rank = x.rank();
  int64_t axis = ctx.node().attr_int("axis", 0);
  if (axis < -rank || axis >= rank) return ctx.error("axis {} is out of range for rank {}", axis, rank);
  if (axis < 0) axis += rank;
  std::optional<std::vector<int64_t>> given;
  if (ctx.opset() < 13) {
    if (ctx.node().has_attr("split")) given = ctx.node().attr_ints("split");
  } else if (ctx.has_input(1)) {
    given = ctx.input(1).to_int64_vector();
  }
  auto sizes = split_sizes(x.dim(axis), given, ctx.num_outputs(), ctx.opset());
  if (!sizes) return ctx.error("{}", sizes.status().message());
  const int64_t outer = span_numel(x.shape(), 0, axis);
  const int64_t inner = span_numel(x.shape(), axis + 1, rank);
  const int64_t row = x.dim(axis) * inner;
  int64_t col = 0;
  for (size_t o = 0; o < sizes->size(); ++o) {
    Shape shape = x.shape();
    shape[static_cast<size_t>(axis)] = (*sizes)[o];
    const int64_t block = (*sizes)[o] * inner;
    Tensor y(x.dtype(), shape);
    bool ok = KILN_DISPATCH_ALL(x.dtype(), T, {
      const T* src = x.data<T>();
      T* dst = y.data<T>();
      for (int64_t i = 0; i < outer; ++i) std::copy(src + i * row + col, src + i * row + col + block, dst + i * block);
    });
    if (!ok) return ctx.unsupported_error("dtype {}", dtype_name(x.dtype()));
    col += block;
    if (ctx.wants_output(o)) ctx.set_output(o, Value(std::move(y)));
  }
  return Status::ok();
}

}  // namespace kiln::reference
