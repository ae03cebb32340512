// TopK: the k largest (or smallest) entries along an axis, with their indices. Ties keep the
// lower index first.
#include <algorithm>
#include <numeric>

#include "backends/reference/tensor/tensor_kernels.h"

namespace kiln::reference {

Status top_k(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, ctx.opset() < 10 ? 1 : 2));
  const Tensor& x = ctx.input(0);
  int64_t axis = ctx.node().attr_int("axis", -1);
  if (axis < -x.rank() || axis >= x.rank()) return ctx.error("axis {} is out of range for {}", axis, x.describe());
  if (axis < 0) axis += x.rank();
  int64_t k = 0;
  if (ctx.opset() < 10) {
    k = ctx.node().attr_int("k", 0);
  } else {
    if (ctx.input(1).numel() != 1) return ctx.error("K must hold one value, is {}", ctx.input(1).describe());
    k = ctx.input(1).as_int64(0);
  }
  const int64_t len = x.dim(axis);
  if (k < 0 || k > len) return ctx.error("K {} is out of range for axis length {}", k, len);
  const bool largest = ctx.node().attr_int("largest", 1) != 0;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
  for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
  Shape out = x.shape();
  out[static_cast<size_t>(axis)] = k;
  Tensor& values = ctx.allocate_output(0, x.dtype(), out);
  Tensor& indices = ctx.allocate_output(1, DType::kInt64, out);
  int64_t* pi = indices.data<int64_t>();
  bool ok = KILN_DISPATCH_NUMERIC(x.dtype(), T, {
    const T* src = x.data<T>();
    T* pv = values.data<T>();
    std::vector<int64_t> order(static_cast<size_t>(len));
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        auto val = [&](int64_t a) { return src[(o * len + a) * inner + i]; };
        std::iota(order.begin(), order.end(), 0);
        std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) {
          const T va = val(a), vb = val(b);
          if (largest ? vb < va : va < vb) return true;
          if (largest ? va < vb : vb < va) return false;
          return a < b;
        });
        for (int64_t j = 0; j < k; ++j) {
          const int64_t at = (o * k + j) * inner + i;
          pv[at] = val(order[static_cast<size_t>(j)]);
          pi[at] = order[static_cast<size_t>(j)];
        }
      }
    }
  });
  if (!ok) return ctx.unsupported_error("dtype {}", dtype_name(x.dtype()));
  return Status::ok();
}

}  // namespace kiln::reference
