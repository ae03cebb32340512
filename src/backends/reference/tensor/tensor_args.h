// Reading Slice's and Pad's arguments, whose place moved from attributes to inputs across opsets.
// Shared by the reference kernels and the optimized CPU kernels so both read them the same way.
#pragma once

#include <vector>

#include "backends/kernel.h"
#include "ops/tensor/tensor_ops.h"

namespace kiln::reference {

// starts/ends/axes/steps (attributes before opset 10, inputs 1-4 after) resolved against `x`.
Expected<std::vector<SliceDim>> slice_plan_of(const KernelContext& ctx, const Shape& x);

struct PadArgs {
  std::vector<int64_t> pads;            // begin pads of every axis, then end pads (2 * rank)
  double value = 0;                     // the constant before opset 11
  const Tensor* value_tensor = nullptr;  // the constant_value input from opset 11 on (may be absent)
};
// pads/value (attributes before opset 11; inputs 1-3 after, with optional axes) for rank `rank`.
Expected<PadArgs> pad_args_of(const KernelContext& ctx, int64_t rank);

}  // namespace kiln::reference
