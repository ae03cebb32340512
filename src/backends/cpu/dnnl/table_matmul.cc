// Rows of the CPU backend's dnnl_matmul_kernels table (backends/cpu/backend.h).
#include "backends/cpu/backend.h"
#include "backends/cpu/dnnl/matmul_kernels.h"

namespace kiln::cpu {

std::span<const PreparedKernelEntry> dnnl_matmul_kernels() {
  static const PreparedKernelEntry kKernels[] = {
      {"", "MatMul", prepare_matmul},
      {"", "Gemm", prepare_gemm},
      {"kiln", "FusedMatMul", prepare_fused_matmul},
      {"kiln", "Attention", prepare_attention},
      {"", "Softmax", prepare_softmax},
      {"", "LogSoftmax", prepare_log_softmax},
      {"", "LayerNormalization", prepare_layer_norm},
      {"", "BatchNormalization", prepare_batch_norm},
      {"kiln", "NhwcBatchNormalization", prepare_batch_norm},
      {"", "InstanceNormalization", prepare_instance_norm},
      {"kiln", "NhwcInstanceNormalization", prepare_instance_norm},
  };
  return kKernels;
}

}  // namespace kiln::cpu
