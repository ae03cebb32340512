// Rows of the CPU backend's dnnl_conv_kernels table (backends/cpu/backend.h).
#include "backends/cpu/backend.h"
#include "backends/cpu/dnnl/conv_kernels.h"

namespace kiln::cpu {

std::span<const PreparedKernelEntry> dnnl_conv_kernels() {
  static const PreparedKernelEntry kKernels[] = {
      {"", "Conv", onednn::prepare_conv},
      {"kiln", "FusedConv", onednn::prepare_conv},
  };
  return kKernels;
}

}  // namespace kiln::cpu
