// Reference kernels of the misc family: one row per operator.
#include "backends/reference/misc/misc_kernels.h"
#include "backends/reference/families.h"

namespace kiln::reference {

std::span<const KernelEntry> misc_kernels() {
  static const KernelEntry kKernels[] = {
      {"", "", nullptr},  // placeholder row; replace with real kernels
  };
  return kKernels;
}

}  // namespace kiln::reference
