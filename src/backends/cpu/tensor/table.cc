// Rows of the CPU backend's tensor_kernels table (backends/cpu/backend.h): data movement,
// resize and reductions (src/backends/cpu/tensor/).
#include "backends/cpu/backend.h"
#include "backends/cpu/tensor/tensor_ops.h"

namespace kiln::cpu {

std::span<const PreparedKernelEntry> tensor_kernels() {
  using namespace tensor;  // NOLINT
  static const PreparedKernelEntry kKernels[] = {
      {"", "Reshape", prepare_reshape},      {"", "Flatten", prepare_flatten},
      {"", "Squeeze", prepare_squeeze},      {"", "Unsqueeze", prepare_unsqueeze},
      {"", "Identity", prepare_identity},    {"", "Transpose", prepare_transpose},
      {"", "Concat", prepare_concat},        {"", "Split", prepare_split},
      {"", "Slice", prepare_slice},          {"", "Expand", prepare_expand},
      {"", "Tile", prepare_tile},            {"", "Gather", prepare_gather},
      {"", "Pad", prepare_pad},              {"", "Resize", prepare_resize},
      {"kiln", "NhwcResize", prepare_nhwc_resize},
      {"", "ReduceSum", prepare_reduce_sum}, {"", "ReduceMean", prepare_reduce_mean},
      {"", "ReduceMax", prepare_reduce_max}, {"", "ReduceMin", prepare_reduce_min},
      {"", "ArgMax", prepare_arg_max},       {"", "ArgMin", prepare_arg_min},
  };
  return std::span<const PreparedKernelEntry>(kKernels);
}

}  // namespace kiln::cpu
