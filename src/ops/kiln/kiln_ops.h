// Kiln's own operators (domain "kiln"), created by the graph passes, never by exporters:
//
//   kiln.FusedConv(X, W, B?, Z?) -> Y     Y = act(Conv(X, W) + B + Z). Conv's attributes, plus
//       `activation`/`activation_params` (ops/kiln/activation.h) and `channels_last` (0/1): when 1,
//       X, Z and Y are stored channels-last ([N, spatial..., C]); W stays [M, C/group, k...].
//   kiln.FusedMatMul(A, B, bias?) -> Y   Y = act(MatMul(A, B) + bias), bias broadcast numpy-style.
//       Optional `perm_a`/`perm_b`/`perm_y` (transposed operands / result, read and written in
//       place) and `alpha` (scales the product): ops/kiln/matmul_layout.h.
//   kiln.Attention(Q, K, V, mask?) -> Y  softmax(alpha * Q' x K' + mask) x V' with the operands and
//       the result read / written through perm_q/perm_k/perm_v/perm_y (ops/kiln/matmul_layout.h).
//   kiln.PointwiseDepthwise(X, Wp, Bp, Wd, Bd, Wq?, Bq?, Z?) -> Y   a MobileNet inverted-residual block's expand
//       and depthwise convolutions as one: T = pw_act(Conv1x1(X, Wp) + Bp), Y = act(Conv(T, Wd) + Bd)
//       with Wp [C, K, 1, 1], Wd [C, 1, 3, 3] (group C), X [N, H, W, K] and Y [N, OH, OW, C] stored
//       channels-last. Attributes: the depthwise Conv's (strides, pads, dilations, group,
//       kernel_shape), `activation`... for it and `pw_activation`... for the expand (activation.h).
//       T never exists whole: the CPU kernel expands three rows at a time into a per-thread ring.
//       Wp and Bp may both be absent (a block without expand, MobileNetV2 features.1): T = X.
//       Optional inputs Wq [M, C, 1, 1], Bq [M] and Z [N, OH, OW, M] add the block's project
//       convolution: Y = pj_act(Conv1x1(D, Wq) + Bq + Z), D the depthwise result (computed one
//       row at a time), Y [N, OH, OW, M]; `pj_activation`... is its activation.
//   kiln.Gelu(X) -> Y                    attribute `approximate` = "none" (erf) or "tanh".
//   kiln.Silu(X) -> Y                    Y = X * sigmoid(X).
//   kiln.Nhwc<Op>(X, ...) -> Y, ...      the ONNX op <Op> (MaxPool, AveragePool, GlobalAveragePool,
//       GlobalMaxPool, ConvTranspose, Resize, LRN, InstanceNormalization, BatchNormalization) with
//       data input 0 and output 0 stored channels-last; other inputs and attributes as in ONNX.
//   kiln.Aipp(image, params?) -> Y      AI pre-processing of a raw uint8 image (ops/kiln/aipp.cc).
#pragma once

#include "ops/op_schema.h"

namespace kiln {

inline constexpr std::string_view kKilnDomain = "kiln";

Status infer_fused_conv(InferContext& ctx);
Status infer_fused_matmul(InferContext& ctx);
Status infer_attention(InferContext& ctx);
Status infer_pointwise_depthwise(InferContext& ctx);
Status infer_kiln_unary(InferContext& ctx);
Status infer_channels_last(InferContext& ctx);
Status infer_aipp(InferContext& ctx);

// "MaxPool" for "NhwcMaxPool"; empty when op_type is not a channels-last wrapper.
std::string_view channels_last_base_op(std::string_view op_type);
// The ONNX ops that have a kiln.Nhwc<Op> form.
inline constexpr std::string_view kChannelsLastOps[] = {
    "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "ConvTranspose",
    "Resize", "LRN", "InstanceNormalization", "BatchNormalization"};

// NCHW <-> channels-last permutations of a dims list ([N, C, s...] <-> [N, s..., C]).
template <typename T>
std::vector<T> to_channels_last(std::vector<T> d) {
  if (d.size() >= 3) {
    T c = d[1];
    d.erase(d.begin() + 1);
    d.push_back(c);
  }
  return d;
}
template <typename T>
std::vector<T> to_channels_first(std::vector<T> d) {
  if (d.size() >= 3) {
    T c = d.back();
    d.pop_back();
    d.insert(d.begin() + 1, c);
  }
  return d;
}

// The perm (for Transpose) that takes [N, C, s...] to [N, s..., C], and back.
inline std::vector<int64_t> to_channels_last_perm(size_t rank) {
  std::vector<int64_t> p(rank);
  for (size_t i = 0; i < rank; ++i) p[i] = static_cast<int64_t>(i);
  return to_channels_last(p);
}
inline std::vector<int64_t> to_channels_first_perm(size_t rank) {
  std::vector<int64_t> p(rank);
  for (size_t i = 0; i < rank; ++i) p[i] = static_cast<int64_t>(i);
  // [N, s..., C] -> [N, C, s...]: output axis 1 reads input axis rank-1.
  return to_channels_first(p);
}

}  // namespace kiln
