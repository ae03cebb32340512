// Rows of the CPU backend's dnnl_matmul_kernels table (backends/cpu/backend.h).
#include "backends/cpu/backend.h"

namespace kiln::cpu {

std::span<const PreparedKernelEntry> dnnl_matmul_kernels() {
  static const PreparedKernelEntry kKernels[] = {
      {"", "", nullptr},  // placeholder row; real rows replace it
  };
  return std::span<const PreparedKernelEntry>(kKernels).subspan(1);
}

}  // namespace kiln::cpu
