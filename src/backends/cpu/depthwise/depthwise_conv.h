// Prepare function of the depthwise kiln.FusedConv kernel (the depthwise family's table row).
#pragma once

#include "backends/kernel.h"

namespace kiln::cpu {

// Takes strided depthwise convolutions; stride 1 goes to oneDNN (faster there, see the .cc) unless
// KILN_DEPTHWISE_STRIDE1=1 is set or a test turns it on here, to check this kernel on those shapes.
Expected<std::unique_ptr<OpKernel>> prepare_depthwise_conv(const PrepareContext& pctx);
void set_depthwise_stride1_for_testing(bool on);
// How many times this kernel ran (tests assert which kernel took their cases).
int64_t depthwise_conv_runs();

}  // namespace kiln::cpu
