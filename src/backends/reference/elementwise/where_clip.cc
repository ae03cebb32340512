// Where (select with a broadcast bool condition) and Clip (clamp to [min, max]).
#include <algorithm>
#include <cfloat>
#include <limits>

#include "backends/reference/elementwise/elementwise_kernels.h"
#include "backends/reference/elementwise/elementwise_util.h"

namespace kiln::reference {

// y = cond ? X : Y, all three broadcast together; X and Y of any one dtype (strings included).
Status where_op(KernelContext& ctx) {
  const Tensor& cond = ctx.input(0);
  const Tensor& x = ctx.input(1);
  const Tensor& y = ctx.input(2);
  if (cond.dtype() != DType::kBool) return ctx.error("condition must be bool, got {}", dtype_name(cond.dtype()));
  if (x.dtype() != y.dtype()) {
    return ctx.error("X is {} but Y is {}; they must have the same type", dtype_name(x.dtype()),
                     dtype_name(y.dtype()));
  }
  KILN_ASSIGN_OR_RETURN(Shape out, broadcast_pair(ctx, cond.shape(), x.shape()));
  KILN_ASSIGN_OR_RETURN(out, broadcast_pair(ctx, out, y.shape()));
  Tensor& z = ctx.allocate_output(0, x.dtype(), out);
  const bool* pc = cond.data<bool>();
  const int64_t n = z.numel();
  bool ok = KILN_DISPATCH_ALL(x.dtype(), T, {
    const T* px = x.data<T>();
    const T* py = y.data<T>();
    T* pz = z.data<T>();
    BroadcastWalker w(out, {&cond.shape(), &x.shape(), &y.shape()});
    for (int64_t i = 0; i < n; ++i, w.next()) pz[i] = pc[w.offset(0)] ? px[w.offset(1)] : py[w.offset(2)];
  });
  if (!ok) return ctx.unsupported_error("dtype {} is not supported", dtype_name(x.dtype()));
  return Status::ok();
}

// y = min(max(x, lo), hi): when min > max every value becomes max. NaN stays NaN. Opset < 11
// reads min/max attributes (floats); 11+ reads optional scalar inputs 1 and 2.
Status clip_op(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const bool from_attrs = ctx.opset() < 11;
  for (size_t i = 1; !from_attrs && i < 3; ++i) {
    if (!ctx.has_input(i)) continue;
    const Tensor& b = ctx.input(i);
    const char* name = i == 1 ? "min" : "max";
    if (b.dtype() != x.dtype()) {
      return ctx.error("{} is {} but input is {}; they must have the same type", name, dtype_name(b.dtype()),
                       dtype_name(x.dtype()));
    }
    if (b.numel() != 1) return ctx.error("{} must be a scalar, got shape [{}]", name, shape_str(b.shape()));
  }
  Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
  bool ok = KILN_DISPATCH_NUMERIC(x.dtype(), T, {
    using C = compute_t<T>;
    C lo = std::numeric_limits<C>::lowest();
    C hi = std::numeric_limits<C>::max();
    if constexpr (std::is_floating_point_v<C>) {
      lo = -std::numeric_limits<C>::infinity();
      hi = std::numeric_limits<C>::infinity();
    }
    if (from_attrs) {
      auto bound = [](float v) -> C {
        if constexpr (std::is_integral_v<C>) return saturate_cast<C>(static_cast<double>(v));
        else return static_cast<C>(v);
      };
      // The spec's defaults are -FLT_MAX / FLT_MAX (so infinities clip to them).
      lo = bound(ctx.node().attr_float("min", -FLT_MAX));
      hi = bound(ctx.node().attr_float("max", FLT_MAX));
    } else {
      if (ctx.has_input(1)) lo = static_cast<C>(ctx.input(1).data<T>()[0]);
      if (ctx.has_input(2)) hi = static_cast<C>(ctx.input(2).data<T>()[0]);
    }
    const T* px = x.data<T>();
    T* py = y.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      py[i] = store<T>(std::min(std::max(static_cast<C>(px[i]), lo), hi));
    }
  });
  if (!ok) return ctx.unsupported_error("dtype {} is not supported", dtype_name(x.dtype()));
  return Status::ok();
}

}  // namespace kiln::reference
