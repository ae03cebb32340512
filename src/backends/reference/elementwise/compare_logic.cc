// Broadcasting comparisons (Equal, Less, LessOrEqual, Greater, GreaterOrEqual) and logical ops
// (And, Or, Xor); all produce bool.
#include <string>

#include "backends/reference/elementwise/elementwise_kernels.h"
#include "backends/reference/elementwise/elementwise_util.h"

namespace kiln::reference {

namespace {

// y = op(a, b) with broadcasting, y bool. A and B share a dtype: numeric or bool, and string when
// `strings` is set. 16-bit floats compare as float.
template <typename Op>
Status compare(KernelContext& ctx, bool strings, Op op) {
  const Tensor& a = ctx.input(0);
  KILN_ASSIGN_OR_RETURN(const Tensor b, legacy_aligned_b(ctx, a, ctx.input(1)));
  if (a.dtype() != b.dtype()) {
    return ctx.error("A is {} but B is {}; they must have the same type", dtype_name(a.dtype()),
                     dtype_name(b.dtype()));
  }
  if (a.dtype() == DType::kString && !strings) {
    return ctx.unsupported_error("dtype string is not supported");
  }
  KILN_ASSIGN_OR_RETURN(Shape out, broadcast_pair(ctx, a.shape(), b.shape()));
  Tensor& y = ctx.allocate_output(0, DType::kBool, out);
  bool* py = y.data<bool>();
  bool ok = KILN_DISPATCH_ALL(a.dtype(), T, {
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    for_each_broadcast(out, a.shape(), b.shape(), [&](int64_t i, int64_t ia, int64_t ib) {
      if constexpr (is_half_v<T>) {
        py[i] = op(static_cast<float>(pa[ia]), static_cast<float>(pb[ib]));
      } else {
        py[i] = op(pa[ia], pb[ib]);
      }
    });
  });
  if (!ok) return ctx.unsupported_error("dtype {} is not supported", dtype_name(a.dtype()));
  return Status::ok();
}

template <typename Op>
Status logical(KernelContext& ctx, Op op) {
  const Tensor& a = ctx.input(0);
  KILN_ASSIGN_OR_RETURN(const Tensor b, legacy_aligned_b(ctx, a, ctx.input(1)));
  if (a.dtype() != DType::kBool || b.dtype() != DType::kBool) {
    return ctx.error("inputs must be bool, got {} and {}", dtype_name(a.dtype()), dtype_name(b.dtype()));
  }
  KILN_ASSIGN_OR_RETURN(Shape out, broadcast_pair(ctx, a.shape(), b.shape()));
  Tensor& y = ctx.allocate_output(0, DType::kBool, out);
  const bool* pa = a.data<bool>();
  const bool* pb = b.data<bool>();
  bool* py = y.data<bool>();
  for_each_broadcast(out, a.shape(), b.shape(),
                     [&](int64_t i, int64_t ia, int64_t ib) { py[i] = op(pa[ia], pb[ib]); });
  return Status::ok();
}

}  // namespace

Status equal_op(KernelContext& ctx) {
  return compare(ctx, true, [](const auto& a, const auto& b) { return a == b; });
}
Status less_op(KernelContext& ctx) {
  return compare(ctx, false, [](const auto& a, const auto& b) { return a < b; });
}
Status less_or_equal_op(KernelContext& ctx) {
  return compare(ctx, false, [](const auto& a, const auto& b) { return a <= b; });
}
Status greater_op(KernelContext& ctx) {
  return compare(ctx, false, [](const auto& a, const auto& b) { return a > b; });
}
Status greater_or_equal_op(KernelContext& ctx) {
  return compare(ctx, false, [](const auto& a, const auto& b) { return a >= b; });
}

Status and_op(KernelContext& ctx) { return logical(ctx, [](bool a, bool b) { return a && b; }); }
Status or_op(KernelContext& ctx) { return logical(ctx, [](bool a, bool b) { return a || b; }); }
Status xor_op(KernelContext& ctx) { return logical(ctx, [](bool a, bool b) { return a != b; }); }

}  // namespace kiln::reference
