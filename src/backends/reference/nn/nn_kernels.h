// Reference kernels of the nn family (rows in table.cc).
#pragma once

#include "backends/kernel.h"

namespace kiln::reference {

// conv.cc
Status conv(KernelContext& ctx);
Status conv_integer(KernelContext& ctx);
Status qlinear_conv(KernelContext& ctx);
Status conv_transpose(KernelContext& ctx);

// pool.cc
Status max_pool(KernelContext& ctx);
Status average_pool(KernelContext& ctx);
Status lp_pool(KernelContext& ctx);
Status global_average_pool(KernelContext& ctx);
Status global_max_pool(KernelContext& ctx);
Status global_lp_pool(KernelContext& ctx);
Status max_unpool(KernelContext& ctx);

// matmul.cc
Status gemm(KernelContext& ctx);
Status matmul(KernelContext& ctx);
Status matmul_integer(KernelContext& ctx);
Status qlinear_matmul(KernelContext& ctx);

// quantize.cc
Status quantize_linear(KernelContext& ctx);
Status dequantize_linear(KernelContext& ctx);
Status dynamic_quantize_linear(KernelContext& ctx);

// resize.cc
Status resize(KernelContext& ctx);  // Resize and Upsample

// grid_sample.cc, roi_align.cc, non_max_suppression.cc
Status grid_sample(KernelContext& ctx);
Status roi_align(KernelContext& ctx);
Status non_max_suppression(KernelContext& ctx);

}  // namespace kiln::reference
