// Activation kernels: elementwise functions with attributes (alpha, beta, gamma, lambd, bias),
// plus Relu and PRelu. Float math computes float16/bfloat16 in float and rounds on store.
#include <algorithm>
#include <cmath>

#include "backends/reference/elementwise/elementwise_kernels.h"
#include "backends/reference/elementwise/elementwise_util.h"

namespace kiln::reference {

namespace {

float attr(const KernelContext& ctx, const char* name, float fallback) {
  return ctx.node().attr_float(name, fallback);
}

}  // namespace

// Relu accepts floats and (opset 14+) signed integers; unsigned values pass through.
Status relu_op(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
  const int64_t n = x.numel();
  bool ok = KILN_DISPATCH_NUMERIC(x.dtype(), T, {
    using C = compute_t<T>;
    const T* px = x.data<T>();
    T* py = y.data<T>();
    for (int64_t i = 0; i < n; ++i) {
      const C v = static_cast<C>(px[i]);
      py[i] = v > C(0) ? px[i] : store<T>(C(0));
    }
  });
  if (!ok) return ctx.unsupported_error("input dtype {} is not supported", dtype_name(x.dtype()));
  return Status::ok();
}

Status leaky_relu_op(KernelContext& ctx) {
  const float alpha = attr(ctx, "alpha", 0.01f);
  return map_float(ctx, [=]<typename C>(C x) { return x < 0 ? C(alpha) * x : x; });
}

Status elu_op(KernelContext& ctx) {
  const float alpha = attr(ctx, "alpha", 1.0f);
  return map_float(ctx, [=]<typename C>(C x) { return x < 0 ? C(alpha) * (std::exp(x) - C(1)) : x; });
}

Status selu_op(KernelContext& ctx) {
  const float alpha = attr(ctx, "alpha", 1.67326319217681884765625f);
  const float gamma = attr(ctx, "gamma", 1.05070102214813232421875f);
  return map_float(ctx, [=]<typename C>(C x) {
    return C(gamma) * (x > 0 ? x : C(alpha) * std::exp(x) - C(alpha));
  });
}

Status celu_op(KernelContext& ctx) {
  const float alpha = attr(ctx, "alpha", 1.0f);
  if (alpha == 0.0f) return ctx.error("attribute alpha must not be 0");
  return map_float(ctx, [=]<typename C>(C x) {
    return std::max(C(0), x) + std::min(C(0), C(alpha) * (std::exp(x / C(alpha)) - C(1)));
  });
}

Status sigmoid_op(KernelContext& ctx) {
  return map_float(ctx, []<typename C>(C x) {
    // Two forms so that exp never overflows.
    if (x >= 0) return C(1) / (C(1) + std::exp(-x));
    const C e = std::exp(x);
    return e / (C(1) + e);
  });
}

Status hard_sigmoid_op(KernelContext& ctx) {
  const float alpha = attr(ctx, "alpha", 0.2f);
  const float beta = attr(ctx, "beta", 0.5f);
  return map_float(ctx, [=]<typename C>(C x) {
    return std::max(C(0), std::min(C(1), C(alpha) * x + C(beta)));
  });
}

Status hard_swish_op(KernelContext& ctx) {
  return map_float(ctx, []<typename C>(C x) {
    return x * std::max(C(0), std::min(C(1), x / C(6) + C(0.5)));
  });
}

Status softplus_op(KernelContext& ctx) {
  return map_float(ctx, []<typename C>(C x) {
    // log(1 + exp(x)), written so that exp never overflows.
    return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
  });
}

Status softsign_op(KernelContext& ctx) {
  return map_float(ctx, []<typename C>(C x) { return x / (C(1) + std::fabs(x)); });
}

Status thresholded_relu_op(KernelContext& ctx) {
  const float alpha = attr(ctx, "alpha", 1.0f);
  return map_float(ctx, [=]<typename C>(C x) { return x > C(alpha) ? x : C(0); });
}

// y = x + bias if x < -lambd, x - bias if x > lambd, else 0. Any numeric dtype; integer inputs
// compute in double and convert back.
Status shrink_op(KernelContext& ctx) {
  const double lambd = attr(ctx, "lambd", 0.5f);
  const double bias = attr(ctx, "bias", 0.0f);
  const Tensor& x = ctx.input(0);
  Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
  const int64_t n = x.numel();
  bool ok = KILN_DISPATCH_NUMERIC(x.dtype(), T, {
    const T* px = x.data<T>();
    T* py = y.data<T>();
    for (int64_t i = 0; i < n; ++i) {
      const double v = static_cast<double>(static_cast<compute_t<T>>(px[i]));
      const double r = v < -lambd ? v + bias : v > lambd ? v - bias : 0.0;
      if constexpr (is_float_v<T>) {
        py[i] = store<T>(static_cast<compute_t<T>>(r));
      } else {
        py[i] = saturate_cast<T>(r);
      }
    }
  });
  if (!ok) return ctx.unsupported_error("input dtype {} is not supported", dtype_name(x.dtype()));
  return Status::ok();
}

// y = x < 0 ? slope * x : x, with slope broadcast (unidirectionally) to X's shape. Before opset 7
// a 1-D slope of X's channel count applies along axis 1 (per channel).
Status prelu_op(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  Tensor slope = ctx.input(1);
  if (ctx.opset() < 7 && slope.rank() == 1 && x.rank() > 2 && slope.dim(0) != 1 && slope.dim(0) == x.dim(1)) {
    Shape per_channel(static_cast<size_t>(x.rank() - 1), 1);
    per_channel[0] = slope.dim(0);
    slope = slope.reshaped(per_channel);
  }
  if (slope.dtype() != x.dtype()) {
    return ctx.error("slope is {} but X is {}; they must have the same type", dtype_name(slope.dtype()),
                     dtype_name(x.dtype()));
  }
  KILN_ASSIGN_OR_RETURN(Shape out, broadcast_pair(ctx, x.shape(), slope.shape()));
  if (out != x.shape()) {
    return ctx.error("slope of shape [{}] does not broadcast to X of shape [{}]", shape_str(slope.shape()),
                     shape_str(x.shape()));
  }
  Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
  bool ok = KILN_DISPATCH_NUMERIC(x.dtype(), T, {
    using C = compute_t<T>;
    const T* px = x.data<T>();
    const T* ps = slope.data<T>();
    T* py = y.data<T>();
    for_each_broadcast(out, x.shape(), slope.shape(), [&](int64_t i, int64_t ix, int64_t is) {
      const C v = static_cast<C>(px[ix]);
      if constexpr (std::is_unsigned_v<C>) {
        py[i] = v;
      } else if constexpr (std::is_integral_v<C>) {
        py[i] = v < 0 ? wrap_mul(static_cast<C>(ps[is]), v) : v;
      } else {
        py[i] = v < 0 ? store<T>(static_cast<C>(ps[is]) * v) : px[ix];
      }
    });
  });
  if (!ok) return ctx.unsupported_error("input dtype {} is not supported", dtype_name(x.dtype()));
  return Status::ok();
}

}  // namespace kiln::reference
