// What the own channels-last kiln.FusedConv kernels (depthwise, gemm_conv, winograd) check alike:
// at prepare, the node's operands; at run, the input and the sum input Z against the shapes.
//
//   auto ops = channels_last_conv_operands(pctx);   // nullopt: decline the node
//   if (!ops || ops->w->dim(2) != 3) return decline();
//   ...
//   KILN_ASSIGN_OR_RETURN(const float* z, sum_input(ctx, out_shape));   // nullptr: no Z
#pragma once

#include <optional>

#include "backends/kernel.h"
#include "ops/kiln/activation.h"

namespace kiln::cpu {

struct ChannelsLastConvOperands {
  int64_t c = 0;              // input channels (X is float32 [N, H, W, C], C static)
  const Tensor* w = nullptr;  // constant float32 [M, C / group, kh, kw]
  const Tensor* b = nullptr;  // constant float32 [M], or nullptr when the node has no B
  Activation act;
};

// The operands of a channels-last 2-D kiln.FusedConv with constant weights (and bias), a float32
// sum input if any, and a valid activation; nullopt for anything else (the node is declined and
// the next kernel, finally the reference one, reports what is wrong with it).
std::optional<ChannelsLastConvOperands> channels_last_conv_operands(const PrepareContext& pctx);

// Z (input 3) as float32 data of exactly `out_shape`, or nullptr when the node has none; an error
// naming the node when it does not match.
Expected<const float*> sum_input(KernelContext& ctx, const Shape& out_shape);

}  // namespace kiln::cpu
