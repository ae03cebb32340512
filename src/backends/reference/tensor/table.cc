// Reference kernels of the tensor family: one row per operator.
#include "backends/reference/tensor/tensor_kernels.h"
#include "backends/reference/families.h"

namespace kiln::reference {

std::span<const KernelEntry> tensor_kernels() {
  static const KernelEntry kKernels[] = {
      {"", "Constant", constant},
      {"", "Identity", identity},
  };
  return kKernels;
}

}  // namespace kiln::reference
