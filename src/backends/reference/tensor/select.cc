// Compress, NonZero, OneHot, ReverseSequence.
#include <algorithm>

#include "backends/reference/tensor/tensor_kernels.h"

namespace kiln::reference {

Status compress(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 2));
  const Tensor& x = ctx.input(0);
  const Tensor& cond = ctx.input(1);
  if (cond.rank() != 1) return ctx.error("condition must be 1-D, is {}", cond.describe());
  const bool has_axis = ctx.node().has_attr("axis");
  int64_t axis = ctx.node().attr_int("axis", 0);
  Shape view = {1, x.numel(), 1};  // (outer, axis, inner); no axis = the flattened input
  if (has_axis) {
    if (axis < -x.rank() || axis >= x.rank()) return ctx.error("axis {} is out of range for {}", axis, x.describe());
    if (axis < 0) axis += x.rank();
    view = {1, x.dim(axis), 1};
    for (int64_t d = 0; d < axis; ++d) view[0] *= x.dim(d);
    for (int64_t d = axis + 1; d < x.rank(); ++d) view[2] *= x.dim(d);
  }
  if (cond.numel() > view[1]) {
    return ctx.error("condition has {} entries, more than the {} along the axis", cond.numel(), view[1]);
  }
  std::vector<int64_t> keep;
  for (int64_t i = 0; i < cond.numel(); ++i) {
    if (cond.as_double(i) != 0) keep.push_back(i);
  }
  const int64_t k = static_cast<int64_t>(keep.size());
  Shape out = {k};
  if (has_axis) {
    out = x.shape();
    out[static_cast<size_t>(axis)] = k;
  }
  Tensor& y = ctx.allocate_output(0, x.dtype(), out);
  bool ok = KILN_DISPATCH_ALL(x.dtype(), T, {
    const T* src = x.data<T>();
    T* dst = y.data<T>();
    const int64_t inner = view[2];
    for (int64_t o = 0; o < view[0]; ++o) {
      for (int64_t j = 0; j < k; ++j) {
        const T* from = src + (o * view[1] + keep[static_cast<size_t>(j)]) * inner;
        std::copy(from, from + inner, dst + (o * k + j) * inner);
      }
    }
  });
  if (!ok) return ctx.unsupported_error("dtype {}", dtype_name(x.dtype()));
  return Status::ok();
}

Status non_zero(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 1));
  const Tensor& x = ctx.input(0);
  if (x.dtype() == DType::kString) return ctx.unsupported_error("string input");
  std::vector<int64_t> hits;
  for (int64_t i = 0; i < x.numel(); ++i) {
    if (x.as_double(i) != 0) hits.push_back(i);
  }
  const int64_t n = static_cast<int64_t>(hits.size());
  const int64_t rank = x.rank();
  Tensor& y = ctx.allocate_output(0, DType::kInt64, {rank, n});
  int64_t* p = y.data<int64_t>();
  for (int64_t j = 0; j < n; ++j) {
    int64_t flat = hits[static_cast<size_t>(j)];
    for (int64_t d = rank - 1; d >= 0; --d) {
      p[d * n + j] = flat % x.dim(d);
      flat /= x.dim(d);
    }
  }
  return Status::ok();
}

Status one_hot(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 3));
  const Tensor& ind = ctx.input(0);
  const Tensor& depth_t = ctx.input(1);
  const Tensor& values = ctx.input(2);
  if (depth_t.numel() != 1) return ctx.error("depth must hold one value, is {}", depth_t.describe());
  if (values.numel() != 2) return ctx.error("values must hold [off, on], is {}", values.describe());
  const int64_t depth = static_cast<int64_t>(depth_t.as_double(0));
  if (depth <= 0) return ctx.error("depth must be positive, is {}", depth_t.as_double(0));
  const int64_t out_rank = ind.rank() + 1;
  int64_t axis = ctx.node().attr_int("axis", -1);
  if (axis < -out_rank || axis >= out_rank) return ctx.error("axis {} is out of range for rank {}", axis, out_rank);
  if (axis < 0) axis += out_rank;
  Shape out = ind.shape();
  out.insert(out.begin() + axis, depth);
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= ind.dim(d);
  const int64_t inner = ind.numel() / std::max<int64_t>(outer, 1);
  Tensor& y = ctx.allocate_output(0, values.dtype(), out);
  bool ok = KILN_DISPATCH_ALL(values.dtype(), T, {
    const T off = values.data<T>()[0];
    const T on = values.data<T>()[1];
    T* dst = y.data<T>();
    for (int64_t i = 0; i < y.numel(); ++i) dst[i] = off;
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        int64_t v = static_cast<int64_t>(ind.as_double(o * inner + i));
        if (v < 0) v += depth;
        if (v >= 0 && v < depth) dst[(o * depth + v) * inner + i] = on;
      }
    }
  });
  if (!ok) return ctx.unsupported_error("dtype {}", dtype_name(values.dtype()));
  return Status::ok();
}

Status reverse_sequence(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 2));
  const Tensor& x = ctx.input(0);
  const Tensor& lens_t = ctx.input(1);
  if (x.rank() < 2) return ctx.error("input must have rank >= 2, is {}", x.describe());
  const int64_t batch_axis = ctx.node().attr_int("batch_axis", 1);
  const int64_t time_axis = ctx.node().attr_int("time_axis", 0);
  if (!((batch_axis == 0 && time_axis == 1) || (batch_axis == 1 && time_axis == 0))) {
    return ctx.error("batch_axis {} and time_axis {} must be 0 and 1 in some order", batch_axis, time_axis);
  }
  const int64_t batch = x.dim(batch_axis), time = x.dim(time_axis);
  std::vector<int64_t> lens = lens_t.to_int64_vector();
  if (static_cast<int64_t>(lens.size()) != batch) {
    return ctx.error("sequence_lens has {} entries, batch is {}", lens.size(), batch);
  }
  for (int64_t l : lens) {
    if (l < 0 || l > time) return ctx.error("sequence length {} is out of range [0, {}]", l, time);
  }
  const int64_t inner = x.numel() / std::max<int64_t>(batch * time, 1);
  const std::vector<int64_t> xs = shape_strides(x.shape());
  const int64_t bs = xs[static_cast<size_t>(batch_axis)], ts = xs[static_cast<size_t>(time_axis)];
  Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
  bool ok = KILN_DISPATCH_ALL(x.dtype(), T, {
    const T* src = x.data<T>();
    T* dst = y.data<T>();
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t len = lens[static_cast<size_t>(b)];
      for (int64_t t = 0; t < time; ++t) {
        const int64_t from_t = t < len ? len - 1 - t : t;
        const T* from = src + b * bs + from_t * ts;
        std::copy(from, from + inner, dst + b * bs + t * ts);
      }
    }
  });
  if (!ok) return ctx.unsupported_error("dtype {}", dtype_name(x.dtype()));
  return Status::ok();
}

}  // namespace kiln::reference
