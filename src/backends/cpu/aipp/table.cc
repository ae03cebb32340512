// Rows of the CPU backend's aipp_kernels table (backends/cpu/backend.h).
#include "backends/cpu/aipp/aipp.h"
#include "backends/cpu/backend.h"

namespace kiln::cpu {

std::span<const PreparedKernelEntry> aipp_kernels() {
  static const PreparedKernelEntry kKernels[] = {
      {"kiln", "Aipp", prepare_aipp},
  };
  return kKernels;
}

}  // namespace kiln::cpu
