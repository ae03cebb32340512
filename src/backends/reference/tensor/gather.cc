// Gather, GatherElements, GatherND. Indices may be negative (counted from the end); every index
// is checked against its axis before use.
#include <algorithm>

#include "backends/reference/tensor/tensor_kernels.h"

namespace kiln::reference {

namespace {

int64_t span_numel(const Shape& s, size_t from, size_t to) {
  int64_t n = 1;
  for (size_t i = from; i < to; ++i) n *= s[i];
  return n;
}

// Index tensors as int64, each normalized into [0, n) or an error naming the bad entry.
Expected<std::vector<int64_t>> checked_indices(const Tensor& t, int64_t n, const char* what) {
  std::vector<int64_t> v = t.to_int64_vector();
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] < -n || v[i] >= n) {
      return invalid_argument("{} entry {} is {}, out of range [{}, {})", what, i, v[i], -n, n);
    }
    if (v[i] < 0) v[i] += n;
  }
  return v;
}

}  // namespace

Status gather(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 2));
  const Tensor& x = ctx.input(0);
  const Tensor& ind = ctx.input(1);
  int64_t axis = ctx.node().attr_int("axis", 0);
  if (axis < -x.rank() || axis >= x.rank()) return ctx.error("axis {} is out of range for {}", axis, x.describe());
  if (axis < 0) axis += x.rank();
  const size_t ua = static_cast<size_t>(axis);
  auto idx = checked_indices(ind, x.dim(axis), "indices");
  if (!idx) return ctx.error("{}", idx.status().message());
  Shape out(x.shape().begin(), x.shape().begin() + axis);
  out.insert(out.end(), ind.shape().begin(), ind.shape().end());
  out.insert(out.end(), x.shape().begin() + axis + 1, x.shape().end());
  Tensor& y = ctx.allocate_output(0, x.dtype(), out);
  const int64_t outer = span_numel(x.shape(), 0, ua);
  const int64_t inner = span_numel(x.shape(), ua + 1, x.shape().size());
  const int64_t len = x.dim(axis);
  const int64_t count = static_cast<int64_t>(idx->size());
  bool ok = KILN_DISPATCH_ALL(x.dtype(), T, {
    const T* src = x.data<T>();
    T* dst = y.data<T>();
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t j = 0; j < count; ++j) {
        const T* from = src + (o * len + (*idx)[static_cast<size_t>(j)]) * inner;
        std::copy(from, from + inner, dst + (o * count + j) * inner);
      }
    }
  });
  if (!ok) return ctx.unsupported_error("dtype {}", dtype_name(x.dtype()));
  return Status::ok();
}

Status gather_elements(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 2));
  const Tensor& x = ctx.input(0);
  const Tensor& ind = ctx.input(1);
  const int64_t rank = x.rank();
  int64_t axis = ctx.node().attr_int("axis", 0);
  if (axis < -rank || axis >= rank) return ctx.error("axis {} is out of range for {}", axis, x.describe());
  if (axis < 0) axis += rank;
  if (ind.rank() != rank) return ctx.error("indices {} must have the rank of data {}", ind.describe(), x.describe());
  for (int64_t d = 0; d < rank; ++d) {
    if (d != axis && ind.dim(d) > x.dim(d)) {
      return ctx.error("indices {} exceed data {} on axis {}", ind.describe(), x.describe(), d);
    }
  }
  auto idx = checked_indices(ind, x.dim(axis), "indices");
  if (!idx) return ctx.error("{}", idx.status().message());
  Tensor& y = ctx.allocate_output(0, x.dtype(), ind.shape());
  const std::vector<int64_t> xs = shape_strides(x.shape());
  bool ok = KILN_DISPATCH_ALL(x.dtype(), T, {
    const T* src = x.data<T>();
    T* dst = y.data<T>();
    std::vector<int64_t> coord(static_cast<size_t>(rank), 0);
    for (int64_t i = 0; i < y.numel(); ++i) {
      int64_t off = 0;
      for (int64_t d = 0; d < rank; ++d) {
        const size_t ud = static_cast<size_t>(d);
        off += (d == axis ? (*idx)[static_cast<size_t>(i)] : coord[ud]) * xs[ud];
      }
      dst[i] = src[off];
      for (int64_t d = rank - 1; d >= 0; --d) {
        if (++coord[static_cast<size_t>(d)] < ind.dim(d)) break;
        coord[static_cast<size_t>(d)] = 0;
      }
    }
  });
  if (!ok) return ctx.unsupported_error("dtype {}", dtype_name(x.dtype()));
  return Status::ok();
}

Status gather_nd(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 2));
  const Tensor& x = ctx.input(0);
  const Tensor& ind = ctx.input(1);
  const int64_t b = ctx.node().attr_int("batch_dims", 0);
  if (ind.rank() < 1) return ctx.error("indices must have rank >= 1, is {}", ind.describe());
  const int64_t depth = ind.dim(ind.rank() - 1);
  if (b < 0 || b >= ind.rank() || b + depth > x.rank()) {
    return ctx.error("batch_dims {} and index depth {} do not fit data {} / indices {}", b, depth, x.describe(),
                     ind.describe());
  }
  for (int64_t d = 0; d < b; ++d) {
    if (x.dim(d) != ind.dim(d)) return ctx.error("batch dim {} differs: data {} vs indices {}", d, x.describe(), ind.describe());
  }
  Shape out(ind.shape().begin(), ind.shape().end() - 1);
  out.insert(out.end(), x.shape().begin() + b + depth, x.shape().end());
  Tensor& y = ctx.allocate_output(0, x.dtype(), out);
  const std::vector<int64_t> raw = ind.to_int64_vector();
  const std::vector<int64_t> xs = shape_strides(x.shape());
  const int64_t batches = span_numel(x.shape(), 0, static_cast<size_t>(b));
  const int64_t batch_stride = b == 0 ? x.numel() : xs[static_cast<size_t>(b - 1)];
  const int64_t slice = span_numel(x.shape(), static_cast<size_t>(b + depth), x.shape().size());
  const int64_t tuples = depth == 0 ? span_numel(ind.shape(), 0, ind.shape().size() - 1)
                                    : static_cast<int64_t>(raw.size()) / depth;
  const int64_t per_batch = batches == 0 ? 0 : tuples / batches;
  std::vector<int64_t> offsets(static_cast<size_t>(tuples));
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t off = (per_batch == 0 ? 0 : t / per_batch) * batch_stride;
    for (int64_t k = 0; k < depth; ++k) {
      const size_t axis = static_cast<size_t>(b + k);
      int64_t v = raw[static_cast<size_t>(t * depth + k)];
      if (v < -x.shape()[axis] || v >= x.shape()[axis]) {
        return ctx.error("index {} out of range for axis {} of {}", v, axis, x.describe());
      }
      if (v < 0) v += x.shape()[axis];
      off += v * xs[axis];
    }
    offsets[static_cast<size_t>(t)] = off;
  }
  bool ok = KILN_DISPATCH_ALL(x.dtype(), T, {
    const T* src = x.data<T>();
    T* dst = y.data<T>();
    for (int64_t t = 0; t < tuples; ++t) {
      const T* from = src + offsets[static_cast<size_t>(t)];
      std::copy(from, from + slice, dst + t * slice);
    }
  });
  if (!ok) return ctx.unsupported_error("dtype {}", dtype_name(x.dtype()));
  return Status::ok();
}

}  // namespace kiln::reference
