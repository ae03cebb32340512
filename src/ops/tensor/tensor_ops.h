// Inference functions of the tensor family (rows in table.cc).
#pragma once

#include "ops/infer_util.h"
#include "ops/op_schema.h"

namespace kiln {

Status infer_identity(InferContext& ctx);
Status infer_constant(InferContext& ctx);
// The tensor a Constant node holds (shared with the reference kernel).
Expected<Tensor> constant_node_value(const ir::Node& node);

}  // namespace kiln
