// Reference kernels of the elementwise family: one row per operator.
#include "backends/reference/elementwise/elementwise_kernels.h"
#include "backends/reference/families.h"

namespace kiln::reference {

std::span<const KernelEntry> elementwise_kernels() {
  static const KernelEntry kKernels[] = {
      {"", "", nullptr},  // placeholder row; replace with real kernels
  };
  return kKernels;
}

}  // namespace kiln::reference
