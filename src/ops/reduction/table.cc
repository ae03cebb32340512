// The reduction family: one row per operator.
#include "ops/reduction/reduction_ops.h"
#include "ops/families.h"

namespace kiln {

std::span<const OpSchema> reduction_ops() {
  static const OpSchema kOps[] = {
      {"", "", nullptr},  // placeholder row; replace with real ops
  };
  return kOps;
}

}  // namespace kiln
