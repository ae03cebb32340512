// Prepare functions of the dnnl_matmul family (rows of table_matmul.cc).
#pragma once

#include "backends/kernel.h"

namespace kiln::cpu {

Expected<std::unique_ptr<OpKernel>> prepare_matmul(const PrepareContext& pctx);
Expected<std::unique_ptr<OpKernel>> prepare_gemm(const PrepareContext& pctx);
Expected<std::unique_ptr<OpKernel>> prepare_fused_matmul(const PrepareContext& pctx);
Expected<std::unique_ptr<OpKernel>> prepare_attention(const PrepareContext& pctx);
Expected<std::unique_ptr<OpKernel>> prepare_softmax(const PrepareContext& pctx);
Expected<std::unique_ptr<OpKernel>> prepare_log_softmax(const PrepareContext& pctx);
Expected<std::unique_ptr<OpKernel>> prepare_layer_norm(const PrepareContext& pctx);
Expected<std::unique_ptr<OpKernel>> prepare_batch_norm(const PrepareContext& pctx);
Expected<std::unique_ptr<OpKernel>> prepare_instance_norm(const PrepareContext& pctx);

}  // namespace kiln::cpu
