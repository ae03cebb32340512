// Reference kernels of the control family: one row per operator.
#include "backends/reference/control/control_kernels.h"
#include "backends/reference/families.h"

namespace kiln::reference {

std::span<const KernelEntry> control_kernels() {
  static const KernelEntry kKernels[] = {
      {"", "", nullptr},  // placeholder row; replace with real kernels
  };
  return kKernels;
}

}  // namespace kiln::reference
