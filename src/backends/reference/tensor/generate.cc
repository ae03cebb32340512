// Ops that generate values: ConstantOfShape, Range, EyeLike, Trilu (mask of the input).
#include "backends/reference/tensor/tensor_kernels.h"
#include "ops/tensor/tensor_ops.h"

namespace kiln::reference {

Status constant_of_shape(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 1));
  std::vector<int64_t> shape = ctx.input(0).to_int64_vector();
  for (int64_t s : shape) {
    if (s < 0) return ctx.error("shape entry {} is negative", s);
  }
  const ir::Attribute* value = ctx.node().attr("value");
  if (!value) {
    ctx.allocate_output(0, DType::kFloat32, shape);
    return Status::ok();
  }
  const Tensor& v = value->t;
  if (v.numel() != 1) return ctx.error("value must hold one element, has {}", v.numel());
  Tensor& y = ctx.allocate_output(0, v.dtype(), shape);
  bool ok = KILN_DISPATCH_ALL(v.dtype(), T, {
    const T fill = v.data<T>()[0];
    T* p = y.data<T>();
    for (int64_t i = 0; i < y.numel(); ++i) p[i] = fill;
  });
  if (!ok) return ctx.unsupported_error("value dtype {}", dtype_name(v.dtype()));
  return Status::ok();
}

Status range(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 3));
  const Tensor& start = ctx.input(0);
  const Tensor& limit = ctx.input(1);
  const Tensor& delta = ctx.input(2);
  if (start.numel() != 1 || limit.numel() != 1 || delta.numel() != 1) {
    return ctx.error("start, limit and delta must be scalars: {}, {}, {}", start.describe(), limit.describe(),
                     delta.describe());
  }
  if (limit.dtype() != start.dtype() || delta.dtype() != start.dtype()) {
    return ctx.error("start, limit and delta must share a dtype: {}, {}, {}", start.describe(), limit.describe(),
                     delta.describe());
  }
  auto n = range_count(start.as_double(0), limit.as_double(0), delta.as_double(0));
  if (!n) return ctx.error("{}", n.status().message());
  Tensor& y = ctx.allocate_output(0, start.dtype(), {*n});
  bool ok = KILN_DISPATCH_NUMERIC(start.dtype(), T, {
    const T s = start.data<T>()[0];
    const T d = delta.data<T>()[0];
    T* p = y.data<T>();
    for (int64_t i = 0; i < *n; ++i) p[i] = static_cast<T>(s + static_cast<T>(i) * d);
  });
  if (!ok) return ctx.unsupported_error("dtype {}", dtype_name(start.dtype()));
  return Status::ok();
}

Status eye_like(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 1));
  const Tensor& x = ctx.input(0);
  if (x.rank() != 2) return ctx.error("input must be 2-D, is {}", x.describe());
  DType out = x.dtype();
  if (ctx.node().has_attr("dtype")) {
    int64_t code = ctx.node().attr_int("dtype", 1);
    if (!dtype_is_valid(static_cast<int32_t>(code))) return ctx.error("dtype {} is not supported", code);
    out = static_cast<DType>(code);
  }
  const int64_t k = ctx.node().attr_int("k", 0);
  Tensor& y = ctx.allocate_output(0, out, x.shape());
  const int64_t rows = x.dim(0), cols = x.dim(1);
  bool ok = KILN_DISPATCH_POD(out, T, {
    T* p = y.data<T>();
    for (int64_t i = 0; i < rows; ++i) {
      const int64_t j = i + k;
      if (j >= 0 && j < cols) p[i * cols + j] = static_cast<T>(1);
    }
  });
  if (!ok) return ctx.unsupported_error("dtype {}", dtype_name(out));
  return Status::ok();
}

// Keeps the upper (j - i >= k) or lower (j - i <= k) triangle of each trailing matrix.
Status trilu(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 1));
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2) return ctx.error("input must have rank >= 2, is {}", x.describe());
  int64_t k = 0;
  if (ctx.has_input(1)) {
    if (ctx.input(1).numel() != 1) return ctx.error("k must be a scalar, is {}", ctx.input(1).describe());
    k = ctx.input(1).as_int64(0);
  }
  const bool upper = ctx.node().attr_int("upper", 1) != 0;
  const int64_t rows = x.dim(x.rank() - 2), cols = x.dim(x.rank() - 1);
  const int64_t mats = rows * cols == 0 ? 0 : x.numel() / (rows * cols);
  Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
  bool ok = KILN_DISPATCH_ALL(x.dtype(), T, {
    const T* src = x.data<T>();
    T* dst = y.data<T>();
    for (int64_t m = 0; m < mats; ++m) {
      for (int64_t i = 0; i < rows; ++i) {
        for (int64_t j = 0; j < cols; ++j) {
          const int64_t at = (m * rows + i) * cols + j;
          if (upper ? j - i >= k : j - i <= k) dst[at] = src[at];
        }
      }
    }
  });
  if (!ok) return ctx.unsupported_error("dtype {}", dtype_name(x.dtype()));
  return Status::ok();
}

}  // namespace kiln::reference
