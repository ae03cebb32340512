// Reshape, Flatten, Squeeze, Unsqueeze, Identity: the output is a reshaped() view sharing the
// input's storage (values are immutable), so these cost no copy. The reference kernels already
// do exactly that, so the CPU rows run them: one shape computation, shared with inference.
#include "backends/cpu/tensor/tensor_ops.h"
#include "backends/cpu/tensor/tensor_util.h"
#include "backends/reference/tensor/tensor_kernels.h"

namespace kiln::cpu::tensor {

namespace {

// Identity of a tensor only: sequences and optionals stay with the reference kernel.
Prepared prepare_view(const PrepareContext& pctx, KernelFn fn) {
  const ir::TypeInfo* t = pctx.input_type(0);
  if (t && t->kind != ir::TypeInfo::Kind::kTensor) return std::unique_ptr<OpKernel>();
  return std::unique_ptr<OpKernel>(std::make_unique<FnKernel>(fn));
}

}  // namespace

Prepared prepare_reshape(const PrepareContext& pctx) { return prepare_view(pctx, reference::reshape); }
Prepared prepare_flatten(const PrepareContext& pctx) { return prepare_view(pctx, reference::flatten); }
Prepared prepare_squeeze(const PrepareContext& pctx) { return prepare_view(pctx, reference::squeeze); }
Prepared prepare_unsqueeze(const PrepareContext& pctx) { return prepare_view(pctx, reference::unsqueeze); }
Prepared prepare_identity(const PrepareContext& pctx) { return prepare_view(pctx, reference::identity); }

}  // namespace kiln::cpu::tensor
