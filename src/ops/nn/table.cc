// The nn family: one row per operator.
#include "ops/nn/nn_ops.h"
#include "ops/families.h"

namespace kiln {

std::span<const OpSchema> nn_ops() {
  static const OpSchema kOps[] = {
      {"", "", nullptr},  // placeholder row; replace with real ops
  };
  return kOps;
}

}  // namespace kiln
