#include "ops/tensor/tensor_ops.h"

namespace kiln {

// Identity passes tensors, sequences and optionals through unchanged.
Status infer_identity(InferContext& ctx) { return infer_same_as_input(ctx, 0); }

}  // namespace kiln
