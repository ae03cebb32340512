// The control family: one row per operator.
#include "ops/control/control_ops.h"
#include "ops/families.h"

namespace kiln {

std::span<const OpSchema> control_ops() {
  static const OpSchema kOps[] = {
      {"", "", nullptr},  // placeholder row; replace with real ops
  };
  return kOps;
}

}  // namespace kiln
