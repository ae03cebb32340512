// Variadic broadcasting ops: Max, Min, Mean, Sum over one or more inputs of one dtype.
#include <cmath>
#include <vector>

#include "backends/reference/elementwise/elementwise_kernels.h"
#include "backends/reference/elementwise/elementwise_util.h"

namespace kiln::reference {

namespace {

// Folds `op` over all inputs (broadcast together) in the compute type; Mean divides at the end.
template <typename Op>
Status variadic(KernelContext& ctx, bool mean, Op op) {
  const size_t n = ctx.num_inputs();
  if (n == 0) return ctx.error("needs at least one input");
  Shape out;
  for (size_t k = 0; k < n; ++k) {
    if (!ctx.has_input(k)) return ctx.error("input {} is missing", k);
    const Tensor& t = ctx.input(k);
    if (t.dtype() != ctx.input(0).dtype()) {
      return ctx.error("input {} is {} but input 0 is {}; they must have the same type", k,
                       dtype_name(t.dtype()), dtype_name(ctx.input(0).dtype()));
    }
    KILN_ASSIGN_OR_RETURN(out, broadcast_pair(ctx, out, t.shape()));
  }
  const DType dtype = ctx.input(0).dtype();
  Tensor& y = ctx.allocate_output(0, dtype, out);
  bool ok = KILN_DISPATCH_NUMERIC(dtype, T, {
    using C = compute_t<T>;
    std::vector<C> acc(static_cast<size_t>(y.numel()));
    for (size_t k = 0; k < n; ++k) {
      const Tensor& t = ctx.input(k);
      const T* p = t.data<T>();
      for_each_broadcast(out, out, t.shape(), [&](int64_t i, int64_t, int64_t it) {
        const C v = static_cast<C>(p[it]);
        acc[static_cast<size_t>(i)] = k == 0 ? v : op(acc[static_cast<size_t>(i)], v);
      });
    }
    T* py = y.data<T>();
    for (size_t i = 0; i < acc.size(); ++i) {
      C v = acc[i];
      if (mean) {
        if constexpr (std::is_floating_point_v<C>) {
          v = v / static_cast<C>(n);
        } else if constexpr (std::is_signed_v<C>) {
          v = static_cast<C>(static_cast<int64_t>(v) / static_cast<int64_t>(n));
        } else {
          v = static_cast<C>(static_cast<uint64_t>(v) / static_cast<uint64_t>(n));
        }
      }
      py[i] = store<T>(v);
    }
  });
  if (!ok) return ctx.unsupported_error("dtype {} is not supported", dtype_name(dtype));
  return Status::ok();
}

template <typename C>
bool is_nan(C v) {
  if constexpr (std::is_floating_point_v<C>) return std::isnan(v);
  else return false;
}

}  // namespace

// NaN in any input gives NaN (like numpy.maximum).
Status max_op(KernelContext& ctx) {
  return variadic(ctx, false, []<typename C>(C a, C b) -> C { return (is_nan(a) || a > b) ? a : b; });
}

Status min_op(KernelContext& ctx) {
  return variadic(ctx, false, []<typename C>(C a, C b) -> C { return (is_nan(a) || a < b) ? a : b; });
}

Status sum_op(KernelContext& ctx) {
  return variadic(ctx, false, []<typename C>(C a, C b) -> C {
    if constexpr (std::is_integral_v<C>) return wrap_add(a, b);
    else return a + b;
  });
}

Status mean_op(KernelContext& ctx) {
  return variadic(ctx, true, []<typename C>(C a, C b) -> C {
    if constexpr (std::is_integral_v<C>) return wrap_add(a, b);
    else return a + b;
  });
}

}  // namespace kiln::reference
