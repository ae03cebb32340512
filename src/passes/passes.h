// Every graph pass (one per file), listed in pipeline.cc in the order they run.
#pragma once

#include "passes/pass.h"

namespace kiln {

Expected<bool> remove_identity(ir::Graph& graph);
Expected<bool> fold_constants(ir::Graph& graph);
Expected<bool> eliminate_dead_code(ir::Graph& graph);
Expected<bool> fuse_batchnorm(ir::Graph& graph);
Expected<bool> fuse_activation_patterns(ir::Graph& graph);
// factor_scaled_residual.cc: Add(x, Mul(x, s)) with a small broadcast s -> Mul(x, Add(s, 1)).
Expected<bool> factor_scaled_residual(ir::Graph& graph);
Expected<bool> fuse_matmul_add(ir::Graph& graph);
// fuse_conv.cc: Conv (+ residual Add) (+ activation) -> kiln.FusedConv.
Expected<bool> fuse_conv(ir::Graph& graph);
// layout_channels_last.cc: spatial ops and the element-wise ops between them run channels-last.
Expected<bool> layout_channels_last(ir::Graph& graph);
Expected<bool> simplify_transposes(ir::Graph& graph);
// fuse_pointwise_depthwise.cc: channels-last 1x1 FusedConv -> 3x3 depthwise FusedConv with a large
// expanded tensor between them -> kiln.PointwiseDepthwise.
Expected<bool> fuse_pointwise_depthwise(ir::Graph& graph);
// fuse_pointwise_depthwise.cc: kiln.PointwiseDepthwise -> its block's 1x1 project FusedConv (with the
// residual as Z) -> one kiln.PointwiseDepthwise with inputs Wq, Bq (and Z).
Expected<bool> fuse_pointwise_depthwise_project(ir::Graph& graph);
// fuse_matmul_layout.cc: Transposes of a MatMul's operands / result, a scalar scale and an addend
// -> kiln.FusedMatMul attributes (attention's Q/K/V head views, 1/sqrt(d), the mask).
Expected<bool> fuse_matmul_layout(ir::Graph& graph);
// fuse_attention.cc: FusedMatMul -> Softmax -> FusedMatMul (scaled dot-product attention) -> kiln.Attention.
Expected<bool> fuse_attention(ir::Graph& graph);

}  // namespace kiln
