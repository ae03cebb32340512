// The nn family: one row per operator.
#include "ops/nn/nn_ops.h"
#include "ops/families.h"

namespace kiln {

std::span<const OpSchema> nn_ops() {
  static const OpSchema kOps[] = {
      {"", "Conv", infer_conv},
      {"", "ConvInteger", infer_conv},
      {"", "QLinearConv", infer_conv},
      {"", "ConvTranspose", infer_conv_transpose},
      {"", "MaxPool", infer_pool},
      {"", "AveragePool", infer_pool},
      {"", "LpPool", infer_pool},
      {"", "GlobalAveragePool", infer_global_pool},
      {"", "GlobalMaxPool", infer_global_pool},
      {"", "GlobalLpPool", infer_global_pool},
      {"", "MaxUnpool", infer_max_unpool},
      {"", "Gemm", infer_gemm},
      {"", "MatMul", infer_matmul},
      {"", "MatMulInteger", infer_matmul},
      {"", "QLinearMatMul", infer_matmul},
      {"", "QuantizeLinear", infer_quantize_linear},
      {"", "DequantizeLinear", infer_dequantize_linear},
      {"", "DynamicQuantizeLinear", infer_dynamic_quantize_linear},
      {"", "Resize", infer_resize},
      {"", "Upsample", infer_resize},
      {"", "GridSample", infer_grid_sample},
      {"", "RoiAlign", infer_roi_align},
      {"", "NonMaxSuppression", infer_non_max_suppression},
  };
  return kOps;
}

}  // namespace kiln
