// Prepare function of the depthwise kiln.FusedConv kernel (the depthwise family's table row).
#pragma once

#include "backends/kernel.h"

namespace kiln::cpu {

// Takes channels-last depthwise convolutions only when KILN_OWN_DEPTHWISE=1 is set or a test turns
// it on here: oneDNN's jit_dw measured faster at every stride (see the .cc), so by default the
// node goes there. Kept as the A/B baseline and for ISAs or shapes oneDNN declines.
Expected<std::unique_ptr<OpKernel>> prepare_depthwise_conv(const PrepareContext& pctx);
void set_own_depthwise_for_testing(bool on);
// How many times this kernel ran (tests assert which kernel took their cases).
int64_t depthwise_conv_runs();

}  // namespace kiln::cpu
