// Reference kernels of Kiln's own ops (domain "kiln"; ops/kiln/kiln_ops.h has the semantics).
#pragma once

#include "backends/kernel.h"

namespace kiln::reference {

Status fused_conv(KernelContext& ctx);
Status fused_matmul(KernelContext& ctx);
Status attention(KernelContext& ctx);
Status pointwise_depthwise(KernelContext& ctx);
Status gelu(KernelContext& ctx);
Status silu(KernelContext& ctx);
// kiln.Aipp: AI pre-processing of a raw uint8 image (ops/kiln/aipp.cc).
Status aipp(KernelContext& ctx);
// kiln.Nhwc<Op>: permute input 0 to channels-first, run the ONNX op's kernel, permute output 0 back.
Status channels_last_op(KernelContext& ctx);

// Permutes a rank >= 3 tensor between [N, C, s...] and [N, s..., C] (reference speed).
Tensor permute_to_channels_last(const Tensor& x);
Tensor permute_to_channels_first(const Tensor& x);

}  // namespace kiln::reference
