// Every graph pass (one per file), listed in pipeline.cc in the order they run.
#pragma once

#include "passes/pass.h"

namespace kiln {

// fuse_conv.cc: Conv (+ residual Add) (+ activation) -> kiln.FusedConv.
Expected<bool> fuse_conv(ir::Graph& graph);
// layout_channels_last.cc: spatial ops and the element-wise ops between them run channels-last.
Expected<bool> layout_channels_last(ir::Graph& graph);

}  // namespace kiln
