// Inference functions of the misc family (rows in table.cc).
#pragma once

#include "ops/infer_util.h"
#include "ops/op_schema.h"

namespace kiln {



}  // namespace kiln
