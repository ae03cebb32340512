// Inference functions of the tensor family (rows in table.cc).
#pragma once

#include "ops/infer_util.h"
#include "ops/op_schema.h"

namespace kiln {

Status infer_identity(InferContext& ctx);

}  // namespace kiln
