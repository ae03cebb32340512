#include "backends/reference/tensor/tensor_kernels.h"
#include "ops/tensor/tensor_ops.h"

namespace kiln::reference {

Status constant(KernelContext& ctx) {
  KILN_ASSIGN_OR_RETURN(Tensor t, constant_node_value(ctx.node()));
  ctx.set_output(0, Value(std::move(t)));
  return Status::ok();
}

}  // namespace kiln::reference
