// The misc family: one row per operator.
#include "ops/misc/misc_ops.h"
#include "ops/families.h"

namespace kiln {

std::span<const OpSchema> misc_ops() {
  static const OpSchema kOps[] = {
      {"", "", nullptr},  // placeholder row; replace with real ops
  };
  return kOps;
}

}  // namespace kiln
