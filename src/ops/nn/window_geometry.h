// Sliding-window geometry shared by Conv, ConvTranspose and the pools (inference and kernels):
// kernel, strides, dilations, the begin/end pads after auto_pad, and the output size per
// spatial axis.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "ir/graph.h"

namespace kiln {

struct WindowGeometry {
  std::vector<int64_t> kernel, strides, dilations, pads_begin, pads_end;
  std::vector<int64_t> out;  // output spatial sizes; -1 where the input size is unknown
};

// Conv / pool forward windows over spatial input sizes `in` (-1 = unknown). `kernel` comes from
// the weights or the kernel_shape attribute. ceil_mode applies to pools only.
Expected<WindowGeometry> forward_window(const ir::Node& node, const std::vector<int64_t>& in,
                                        const std::vector<int64_t>& kernel, bool ceil_mode);

// ConvTranspose: output sizes from output_shape / output_padding / pads / auto_pad.
Expected<WindowGeometry> transpose_window(const ir::Node& node, const std::vector<int64_t>& in,
                                          const std::vector<int64_t>& kernel);

}  // namespace kiln
