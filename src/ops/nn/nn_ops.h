// Inference functions of the nn family (rows in table.cc).
#pragma once

#include "ops/infer_util.h"
#include "ops/op_schema.h"

namespace kiln {



}  // namespace kiln
