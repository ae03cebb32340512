// CumSum along an axis (a scalar input), optionally exclusive and/or reversed. float16/bfloat16
// accumulate in float.
#include <type_traits>

#include "backends/reference/tensor/tensor_kernels.h"

namespace kiln::reference {

Status cum_sum(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 2));
  const Tensor& x = ctx.input(0);
  const Tensor& axis_t = ctx.input(1);
  if (axis_t.numel() != 1) return ctx.error("axis must be a scalar, is {}", axis_t.describe());
  int64_t axis = axis_t.as_int64(0);
  if (axis < -x.rank() || axis >= x.rank()) return ctx.error("axis {} is out of range for {}", axis, x.describe());
  if (axis < 0) axis += x.rank();
  const bool exclusive = ctx.node().attr_int("exclusive", 0) != 0;
  const bool reverse = ctx.node().attr_int("reverse", 0) != 0;
  const int64_t len = x.rank() == 0 ? 1 : x.dim(axis);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
  for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
  Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
  bool ok = KILN_DISPATCH_NUMERIC(x.dtype(), T, {
    using Acc = std::conditional_t<std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>, float, T>;
    const T* src = x.data<T>();
    T* dst = y.data<T>();
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        Acc sum = Acc(0);
        for (int64_t s = 0; s < len; ++s) {
          const int64_t a = reverse ? len - 1 - s : s;
          const int64_t at = (o * len + a) * inner + i;
          if (exclusive) {
            dst[at] = static_cast<T>(sum);
            sum = static_cast<Acc>(sum + static_cast<Acc>(src[at]));
          } else {
            sum = static_cast<Acc>(sum + static_cast<Acc>(src[at]));
            dst[at] = static_cast<T>(sum);
          }
        }
      }
    }
  });
  if (!ok) return ctx.unsupported_error("dtype {}", dtype_name(x.dtype()));
  return Status::ok();
}

}  // namespace kiln::reference
