// Output sizes and per-axis scales of Resize / Upsample, shared by inference and the kernel.
#pragma once

#include <vector>

#include "core/tensor.h"
#include "ir/graph.h"

namespace kiln {

struct ResizeTarget {
  std::vector<int64_t> out;    // output sizes
  std::vector<double> scales;  // per axis: the given scale, or out/in when sizes were given
};

// Input positions of the scales and sizes inputs for this node (sizes: -1 when it has none).
int resize_scales_input(const ir::Node& node);
int resize_sizes_input(const ir::Node& node);

// `scales` / `sizes` are the tensors of those inputs, nullptr when absent; an empty tensor counts
// as absent. For Upsample-7 the scales come from the attribute.
Expected<ResizeTarget> resize_target(const ir::Node& node, const std::vector<int64_t>& in,
                                     const Tensor* scales, const Tensor* sizes);

}  // namespace kiln
