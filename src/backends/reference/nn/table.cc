// Reference kernels of the nn family: one row per operator.
#include "backends/reference/nn/nn_kernels.h"
#include "backends/reference/families.h"

namespace kiln::reference {

std::span<const KernelEntry> nn_kernels() {
  static const KernelEntry kKernels[] = {
      {"", "", nullptr},  // placeholder row; replace with real kernels
  };
  return kKernels;
}

}  // namespace kiln::reference
