// The elementwise family: one row per operator.
#include "ops/elementwise/elementwise_ops.h"
#include "ops/families.h"

namespace kiln {

std::span<const OpSchema> elementwise_ops() {
  static const OpSchema kOps[] = {
      {"", "", nullptr},  // placeholder row; replace with real ops
  };
  return kOps;
}

}  // namespace kiln
