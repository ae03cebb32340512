// Prepare function of the kiln.PointwiseDepthwise kernel (the pointwise_depthwise family's row).
#pragma once

#include "backends/kernel.h"

namespace kiln::cpu {

// Takes float32 channels-last nodes with constant weights and biases, C a multiple of 8, a 3x3
// depthwise of stride 1 or 2 and dilation 1, and activations applied in registers; declines the
// rest (the reference kernel takes them).
Expected<std::unique_ptr<OpKernel>> prepare_pointwise_depthwise(const PrepareContext& pctx);
// How many times this kernel ran (tests assert their cases took it).
int64_t pointwise_depthwise_runs();

}  // namespace kiln::cpu
