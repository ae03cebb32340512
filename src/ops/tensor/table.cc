// The tensor family: one row per operator.
#include "ops/tensor/tensor_ops.h"
#include "ops/families.h"

namespace kiln {

std::span<const OpSchema> tensor_ops() {
  static const OpSchema kOps[] = {
      {"", "Constant", infer_constant},
      {"", "Identity", infer_identity},
  };
  return kOps;
}

}  // namespace kiln
