#include "backends/reference/tensor/tensor_kernels.h"

namespace kiln::reference {

Status require_tensors(KernelContext& ctx, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (!ctx.has_input(i)) return ctx.error("input {} is required", i);
    const Value& v = ctx.input_value(i);
    if (!v.is_tensor() || !v.tensor().valid()) return ctx.error("input {} must be a tensor", i);
  }
  return Status::ok();
}

}  // namespace kiln::reference
