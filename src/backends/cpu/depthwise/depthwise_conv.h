// Prepare function of the depthwise kiln.FusedConv kernel (the depthwise family's table row).
#pragma once

#include "backends/kernel.h"

namespace kiln::cpu {

Expected<std::unique_ptr<OpKernel>> prepare_depthwise_conv(const PrepareContext& pctx);

}  // namespace kiln::cpu
