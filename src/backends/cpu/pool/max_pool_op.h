// Prepare function of the channels-last max pool (the pool family's table row).
#pragma once

#include "backends/kernel.h"

namespace kiln::cpu {

// Takes float32 2-D kiln.NhwcMaxPool without the Indices output (any kernel, stride, dilation,
// pads, auto_pad, ceil_mode); declines the rest (oneDNN or the reference kernel runs it).
Expected<std::unique_ptr<OpKernel>> prepare_nhwc_max_pool(const PrepareContext& pctx);
// How many times this kernel ran (tests assert which kernel took their cases).
int64_t nhwc_max_pool_runs();

}  // namespace kiln::cpu
