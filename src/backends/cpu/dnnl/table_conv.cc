// Rows of the CPU backend's dnnl_conv_kernels table (backends/cpu/backend.h).
#include "backends/cpu/backend.h"
#include "backends/cpu/dnnl/conv_kernels.h"

namespace kiln::cpu {

std::span<const PreparedKernelEntry> dnnl_conv_kernels() {
  using namespace onednn;
  static const PreparedKernelEntry kKernels[] = {
      {"", "Conv", prepare_conv},
      {"kiln", "FusedConv", prepare_conv},
      {"", "ConvTranspose", prepare_conv_transpose},
      {"kiln", "NhwcConvTranspose", prepare_conv_transpose},
      {"", "MaxPool", prepare_pool},
      {"", "AveragePool", prepare_pool},
      {"", "GlobalMaxPool", prepare_pool},
      {"", "GlobalAveragePool", prepare_pool},
      {"kiln", "NhwcMaxPool", prepare_pool},
      {"kiln", "NhwcAveragePool", prepare_pool},
      {"kiln", "NhwcGlobalMaxPool", prepare_pool},
      {"kiln", "NhwcGlobalAveragePool", prepare_pool},
      {"", "LRN", prepare_lrn},
      {"kiln", "NhwcLRN", prepare_lrn},
  };
  return kKernels;
}

}  // namespace kiln::cpu
