// Broadcasting arithmetic: Add, Sub, Mul, Div, Mod, Pow, BitShift. Integers wrap on overflow
// (like numpy); integer division truncates toward zero; division by zero is an error.
#include <cmath>
#include <string>

#include "backends/reference/elementwise/elementwise_kernels.h"
#include "backends/reference/elementwise/elementwise_util.h"

namespace kiln::reference {

namespace {

// y = op(a, b) elementwise with broadcasting; A and B share one numeric dtype. `op` receives the
// compute type (float for float16/bfloat16) and returns it.
template <typename Op>
Status binary_numeric(KernelContext& ctx, Op op) {
  const Tensor& a = ctx.input(0);
  KILN_ASSIGN_OR_RETURN(const Tensor b, legacy_aligned_b(ctx, a, ctx.input(1)));
  if (a.dtype() != b.dtype()) {
    return ctx.error("A is {} but B is {}; they must have the same type", dtype_name(a.dtype()),
                     dtype_name(b.dtype()));
  }
  KILN_ASSIGN_OR_RETURN(Shape out, broadcast_pair(ctx, a.shape(), b.shape()));
  Tensor& y = ctx.allocate_output(0, a.dtype(), out);
  bool ok = KILN_DISPATCH_NUMERIC(a.dtype(), T, {
    using C = compute_t<T>;
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* py = y.data<T>();
    for_each_broadcast(out, a.shape(), b.shape(), [&](int64_t i, int64_t ia, int64_t ib) {
      py[i] = store<T>(op(static_cast<C>(pa[ia]), static_cast<C>(pb[ib])));
    });
  });
  if (!ok) return ctx.unsupported_error("dtype {} is not supported", dtype_name(a.dtype()));
  return Status::ok();
}

// Python-style remainder: the result takes the divisor's sign.
template <typename C>
C floor_mod(C a, C b) {
  if constexpr (std::is_floating_point_v<C>) {
    C r = std::fmod(a, b);
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  } else if constexpr (std::is_signed_v<C>) {
    C r = static_cast<C>(a % b);
    if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<C>(r + b);
    return r;
  } else {
    return static_cast<C>(a % b);
  }
}

// Integer power by squaring, wrapping on overflow. Negative exponents give the truncated value
// of 1 / base^-e (0 unless |base| == 1); `zero_to_negative` reports 0 ** negative.
template <typename T>
T int_pow(T base, int64_t e, bool& zero_to_negative) {
  if (e < 0) {
    if (base == 0) zero_to_negative = true;
    if (base == 1) return 1;
    if constexpr (std::is_signed_v<T>) {
      if (base == -1) return (e % 2 == 0) ? T(1) : T(-1);
    }
    return 0;
  }
  T result = 1;
  while (e > 0) {
    if (e & 1) result = wrap_mul(result, base);
    base = wrap_mul(base, base);
    e >>= 1;
  }
  return result;
}

}  // namespace

Status add_op(KernelContext& ctx) {
  return binary_numeric(ctx, []<typename C>(C a, C b) -> C {
    if constexpr (std::is_integral_v<C>) return wrap_add(a, b);
    else return a + b;
  });
}

Status sub_op(KernelContext& ctx) {
  return binary_numeric(ctx, []<typename C>(C a, C b) -> C {
    if constexpr (std::is_integral_v<C>) return wrap_sub(a, b);
    else return a - b;
  });
}

Status mul_op(KernelContext& ctx) {
  return binary_numeric(ctx, []<typename C>(C a, C b) -> C {
    if constexpr (std::is_integral_v<C>) return wrap_mul(a, b);
    else return a * b;
  });
}

Status div_op(KernelContext& ctx) {
  bool div_by_zero = false;
  Status st = binary_numeric(ctx, [&]<typename C>(C a, C b) -> C {
    if constexpr (std::is_integral_v<C>) {
      if (b == 0) {
        div_by_zero = true;
        return 0;
      }
      if constexpr (std::is_signed_v<C>) {
        if (b == -1) return wrap_neg(a);  // INT_MIN / -1 overflows
      }
      return static_cast<C>(a / b);
    } else {
      return a / b;
    }
  });
  KILN_TRY(st);
  if (div_by_zero) return ctx.error("integer division by zero");
  return Status::ok();
}

// fmod = 0: integer remainder with the divisor's sign (Python %); fmod = 1: C fmod (dividend's
// sign). The spec requires fmod = 1 for floats; fmod = 0 on floats computes the Python-style mod.
Status mod_op(KernelContext& ctx) {
  const bool use_fmod = ctx.node().attr_int("fmod", 0) != 0;
  bool div_by_zero = false;
  Status st = binary_numeric(ctx, [&]<typename C>(C a, C b) -> C {
    if constexpr (std::is_integral_v<C>) {
      if (b == 0) {
        div_by_zero = true;
        return 0;
      }
      if constexpr (std::is_signed_v<C>) {
        if (b == -1) return 0;  // INT_MIN % -1 overflows
      }
      return use_fmod ? static_cast<C>(a % b) : floor_mod(a, b);
    } else {
      return use_fmod ? std::fmod(a, b) : floor_mod(a, b);
    }
  });
  KILN_TRY(st);
  if (div_by_zero) return ctx.error("integer modulo by zero");
  return Status::ok();
}

// Shifts unsigned integers; shifting by the bit width or more gives 0.
Status bit_shift_op(KernelContext& ctx) {
  const std::string direction = ctx.node().attr_string("direction", "");
  if (direction != "LEFT" && direction != "RIGHT") {
    return ctx.error("attribute direction must be \"LEFT\" or \"RIGHT\", got \"{}\"", direction);
  }
  const bool left = direction == "LEFT";
  const DType t = ctx.input(0).dtype();
  if (t != DType::kUInt8 && t != DType::kUInt16 && t != DType::kUInt32 && t != DType::kUInt64) {
    return ctx.unsupported_error("dtype {} is not supported (unsigned integers only)", dtype_name(t));
  }
  return binary_numeric(ctx, [=]<typename C>(C a, C b) -> C {
    if constexpr (std::is_unsigned_v<C>) {
      if (static_cast<uint64_t>(b) >= sizeof(C) * 8) return 0;
      return static_cast<C>(left ? a << b : a >> b);
    } else {
      return a;  // unreachable: rejected above
    }
  });
}

// Base and exponent may have different types; the result has the base's type. Integer ** integer
// is exact (wrapping); every other combination computes in double.
Status pow_op(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  KILN_ASSIGN_OR_RETURN(const Tensor y, legacy_aligned_b(ctx, x, ctx.input(1)));
  if (!dtype_is_float(x.dtype()) && !dtype_is_integer(x.dtype())) {
    return ctx.unsupported_error("base dtype {} is not supported", dtype_name(x.dtype()));
  }
  if (!dtype_is_float(y.dtype()) && !dtype_is_integer(y.dtype())) {
    return ctx.unsupported_error("exponent dtype {} is not supported", dtype_name(y.dtype()));
  }
  KILN_ASSIGN_OR_RETURN(Shape out, broadcast_pair(ctx, x.shape(), y.shape()));
  const bool int_exp = dtype_is_integer(x.dtype()) && dtype_is_integer(y.dtype());
  const Tensor e = cast_tensor(y, int_exp ? DType::kInt64 : DType::kFloat64);
  Tensor& z = ctx.allocate_output(0, x.dtype(), out);
  bool zero_to_negative = false;
  KILN_DISPATCH_NUMERIC(x.dtype(), T, {
    const T* px = x.data<T>();
    T* pz = z.data<T>();
    if constexpr (std::is_integral_v<T>) {
      if (int_exp) {
        const int64_t* pe = e.data<int64_t>();
        for_each_broadcast(out, x.shape(), y.shape(), [&](int64_t i, int64_t ix, int64_t ie) {
          pz[i] = int_pow(px[ix], pe[ie], zero_to_negative);
        });
        return;
      }
    }
    const double* pe = e.data<double>();
    for_each_broadcast(out, x.shape(), y.shape(), [&](int64_t i, int64_t ix, int64_t ie) {
      const double r = std::pow(static_cast<double>(static_cast<compute_t<T>>(px[ix])), pe[ie]);
      if constexpr (std::is_integral_v<T>) {
        pz[i] = saturate_cast<T>(r);
      } else {
        pz[i] = store<T>(static_cast<compute_t<T>>(r));
      }
    });
  });
  if (zero_to_negative) return ctx.error("0 cannot be raised to a negative integer power");
  return Status::ok();
}

}  // namespace kiln::reference
