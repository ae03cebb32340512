// Building blocks shared by the ops' shape inference functions.
#pragma once

#include "ops/op_schema.h"

namespace kiln {

// Output i gets input j's type unchanged (Relu, Identity, ...).
Status infer_same_as_input(InferContext& ctx, size_t input = 0, size_t output = 0);

// Numpy broadcast of all present inputs' shapes; output dtype `out` (or input 0's when
// kUndefined). Symbolic dims broadcast when equal; unknown rank gives unknown rank.
Status infer_broadcast(InferContext& ctx, DType out = DType::kUndefined);

// Broadcast of two static shapes with symbols; error when two known dims disagree.
Expected<std::vector<ir::Dim>> broadcast_dims(const std::vector<ir::Dim>& a,
                                              const std::vector<ir::Dim>& b);

// The known int64 values of a constant input (e.g. Reshape's shape), or nullopt.
std::optional<std::vector<int64_t>> constant_ints(const InferContext& ctx, size_t input);

}  // namespace kiln
