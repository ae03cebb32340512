#include "backends/reference/tensor/tensor_kernels.h"

namespace kiln::reference {

// Shares the input's storage: values are immutable once produced, so no copy is needed.
Status identity(KernelContext& ctx) {
  ctx.set_output(0, ctx.input_value(0));
  return Status::ok();
}

}  // namespace kiln::reference
