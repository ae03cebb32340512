// Reference kernels of the reduction family: one row per operator.
#include "backends/reference/reduction/reduction_kernels.h"
#include "backends/reference/families.h"

namespace kiln::reference {

std::span<const KernelEntry> reduction_kernels() {
  static const KernelEntry kKernels[] = {
      {"", "", nullptr},  // placeholder row; replace with real kernels
  };
  return kKernels;
}

}  // namespace kiln::reference
