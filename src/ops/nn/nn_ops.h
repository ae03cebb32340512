// Inference functions of the nn family (rows in table.cc).
#pragma once

#include "ops/infer_util.h"
#include "ops/op_schema.h"

namespace kiln {

// conv_infer.cc
Status infer_conv(InferContext& ctx);            // Conv, ConvInteger, QLinearConv
Status infer_conv_transpose(InferContext& ctx);
Status infer_pool(InferContext& ctx);            // MaxPool, AveragePool, LpPool
Status infer_global_pool(InferContext& ctx);     // GlobalAveragePool, GlobalMaxPool, GlobalLpPool
Status infer_max_unpool(InferContext& ctx);

// matmul_infer.cc
Status infer_gemm(InferContext& ctx);
Status infer_matmul(InferContext& ctx);          // MatMul, MatMulInteger, QLinearMatMul

// quantize_infer.cc
Status infer_quantize_linear(InferContext& ctx);
Status infer_dequantize_linear(InferContext& ctx);
Status infer_dynamic_quantize_linear(InferContext& ctx);

// resize_infer.cc
Status infer_resize(InferContext& ctx);          // Resize, Upsample

// detection_infer.cc
Status infer_grid_sample(InferContext& ctx);
Status infer_roi_align(InferContext& ctx);
Status infer_non_max_suppression(InferContext& ctx);

}  // namespace kiln
