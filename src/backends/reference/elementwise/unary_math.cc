// Unary math kernels: y = f(x) elementwise, output of the input's dtype and shape (bool for IsNaN
// and IsInf). Float-only functions compute float16/bfloat16 in float and round on store.
#include <cmath>

#include "backends/reference/elementwise/elementwise_kernels.h"
#include "backends/reference/elementwise/elementwise_util.h"

namespace kiln::reference {

namespace {

// y[i] = f(x[i]) for every numeric dtype; f receives the compute type (float for 16-bit floats).
template <typename F>
Status map_numeric(KernelContext& ctx, F f) {
  const Tensor& x = ctx.input(0);
  Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
  const int64_t n = x.numel();
  bool ok = KILN_DISPATCH_NUMERIC(x.dtype(), T, {
    using C = compute_t<T>;
    const T* px = x.data<T>();
    T* py = y.data<T>();
    for (int64_t i = 0; i < n; ++i) py[i] = store<T>(f(static_cast<C>(px[i])));
  });
  if (!ok) return ctx.unsupported_error("input dtype {} is not supported", dtype_name(x.dtype()));
  return Status::ok();
}

// Round half to even, independent of the floating-point environment's rounding mode.
template <typename C>
C round_half_even(C x) {
  C r = std::floor(x);
  C frac = x - r;
  if (frac > C(0.5) || (frac == C(0.5) && std::fmod(r, C(2)) != 0)) r += 1;
  return r;
}

}  // namespace

Status abs_op(KernelContext& ctx) {
  return map_numeric(ctx, []<typename C>(C x) -> C {
    if constexpr (std::is_floating_point_v<C>) return std::fabs(x);
    else if constexpr (std::is_signed_v<C>) return x < 0 ? wrap_neg(x) : x;
    else return x;
  });
}

Status neg_op(KernelContext& ctx) {
  return map_numeric(ctx, []<typename C>(C x) -> C {
    if constexpr (std::is_floating_point_v<C>) return -x;
    else return wrap_neg(x);
  });
}

Status sign_op(KernelContext& ctx) {
  return map_numeric(ctx, []<typename C>(C x) -> C {
    if constexpr (std::is_floating_point_v<C>) {
      if (std::isnan(x)) return x;
      return x > 0 ? C(1) : x < 0 ? C(-1) : C(0);
    } else if constexpr (std::is_signed_v<C>) {
      return static_cast<C>(x > 0 ? 1 : x < 0 ? -1 : 0);
    } else {
      return static_cast<C>(x > 0 ? 1 : 0);
    }
  });
}

Status acos_op(KernelContext& ctx) { return map_float(ctx, [](auto x) { return std::acos(x); }); }
Status acosh_op(KernelContext& ctx) { return map_float(ctx, [](auto x) { return std::acosh(x); }); }
Status asin_op(KernelContext& ctx) { return map_float(ctx, [](auto x) { return std::asin(x); }); }
Status asinh_op(KernelContext& ctx) { return map_float(ctx, [](auto x) { return std::asinh(x); }); }
Status atan_op(KernelContext& ctx) { return map_float(ctx, [](auto x) { return std::atan(x); }); }
Status atanh_op(KernelContext& ctx) { return map_float(ctx, [](auto x) { return std::atanh(x); }); }
Status cos_op(KernelContext& ctx) { return map_float(ctx, [](auto x) { return std::cos(x); }); }
Status cosh_op(KernelContext& ctx) { return map_float(ctx, [](auto x) { return std::cosh(x); }); }
Status sin_op(KernelContext& ctx) { return map_float(ctx, [](auto x) { return std::sin(x); }); }
Status sinh_op(KernelContext& ctx) { return map_float(ctx, [](auto x) { return std::sinh(x); }); }
Status tan_op(KernelContext& ctx) { return map_float(ctx, [](auto x) { return std::tan(x); }); }
Status tanh_op(KernelContext& ctx) { return map_float(ctx, [](auto x) { return std::tanh(x); }); }
Status exp_op(KernelContext& ctx) { return map_float(ctx, [](auto x) { return std::exp(x); }); }
Status log_op(KernelContext& ctx) { return map_float(ctx, [](auto x) { return std::log(x); }); }
Status sqrt_op(KernelContext& ctx) { return map_float(ctx, [](auto x) { return std::sqrt(x); }); }
Status floor_op(KernelContext& ctx) { return map_float(ctx, [](auto x) { return std::floor(x); }); }
Status ceil_op(KernelContext& ctx) { return map_float(ctx, [](auto x) { return std::ceil(x); }); }
Status erf_op(KernelContext& ctx) { return map_float(ctx, [](auto x) { return std::erf(x); }); }
Status round_op(KernelContext& ctx) { return map_float(ctx, [](auto x) { return round_half_even(x); }); }

Status reciprocal_op(KernelContext& ctx) {
  return map_float(ctx, []<typename C>(C x) { return C(1) / x; });
}

Status is_nan_op(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (!dtype_is_float(x.dtype())) {
    return ctx.unsupported_error("input dtype {} is not supported (float types only)", dtype_name(x.dtype()));
  }
  Tensor& y = ctx.allocate_output(0, DType::kBool, x.shape());
  bool* py = y.data<bool>();
  KILN_DISPATCH_FLOAT(x.dtype(), T, {
    const T* px = x.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i) py[i] = std::isnan(static_cast<compute_t<T>>(px[i]));
  });
  return Status::ok();
}

// detect_positive / detect_negative (default 1) choose which infinities count.
Status is_inf_op(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (!dtype_is_float(x.dtype())) {
    return ctx.unsupported_error("input dtype {} is not supported (float types only)", dtype_name(x.dtype()));
  }
  const bool pos = ctx.node().attr_int("detect_positive", 1) != 0;
  const bool neg = ctx.node().attr_int("detect_negative", 1) != 0;
  Tensor& y = ctx.allocate_output(0, DType::kBool, x.shape());
  bool* py = y.data<bool>();
  KILN_DISPATCH_FLOAT(x.dtype(), T, {
    const T* px = x.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      const auto v = static_cast<compute_t<T>>(px[i]);
      py[i] = std::isinf(v) && (v > 0 ? pos : neg);
    }
  });
  return Status::ok();
}

Status not_op(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.dtype() != DType::kBool) return ctx.error("input must be bool, got {}", dtype_name(x.dtype()));
  Tensor& y = ctx.allocate_output(0, DType::kBool, x.shape());
  const bool* px = x.data<bool>();
  bool* py = y.data<bool>();
  for (int64_t i = 0; i < x.numel(); ++i) py[i] = !px[i];
  return Status::ok();
}

}  // namespace kiln::reference
