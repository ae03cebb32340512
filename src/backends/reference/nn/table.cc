// Reference kernels of the nn family: one row per operator.
#include "backends/reference/nn/nn_kernels.h"
#include "backends/reference/families.h"

namespace kiln::reference {

std::span<const KernelEntry> nn_kernels() {
  static const KernelEntry kKernels[] = {
      {"", "Conv", conv},
      {"", "ConvInteger", conv_integer},
      {"", "QLinearConv", qlinear_conv},
      {"", "ConvTranspose", conv_transpose},
      {"", "MaxPool", max_pool},
      {"", "AveragePool", average_pool},
      {"", "LpPool", lp_pool},
      {"", "GlobalAveragePool", global_average_pool},
      {"", "GlobalMaxPool", global_max_pool},
      {"", "GlobalLpPool", global_lp_pool},
      {"", "MaxUnpool", max_unpool},
      {"", "Gemm", gemm},
      {"", "MatMul", matmul},
      {"", "MatMulInteger", matmul_integer},
      {"", "QLinearMatMul", qlinear_matmul},
      {"", "QuantizeLinear", quantize_linear},
      {"", "DequantizeLinear", dequantize_linear},
      {"", "DynamicQuantizeLinear", dynamic_quantize_linear},
      {"", "Resize", resize},
      {"", "Upsample", resize},
      {"", "GridSample", grid_sample},
      {"", "RoiAlign", roi_align},
      {"", "NonMaxSuppression", non_max_suppression},
  };
  return kKernels;
}

}  // namespace kiln::reference
