// Reference kernels of the tensor family: one row per operator.
#include "backends/reference/tensor/tensor_kernels.h"
#include "backends/reference/families.h"

namespace kiln::reference {

std::span<const KernelEntry> tensor_kernels() {
  static const KernelEntry kKernels[] = {
      {"", "Constant", constant},
      {"", "Identity", identity},
      {"", "Reshape", reshape},
      {"", "Flatten", flatten},
      {"", "Squeeze", squeeze},
      {"", "Unsqueeze", unsqueeze},
      {"", "Transpose", transpose},
      {"", "Concat", concat},
      {"", "Split", split},
      {"", "Slice", slice},
      {"", "Gather", gather},
      {"", "GatherElements", gather_elements},
      {"", "GatherND", gather_nd},
      {"", "Scatter", scatter},
      {"", "ScatterElements", scatter_elements},
      {"", "ScatterND", scatter_nd},
      {"", "Expand", expand},
      {"", "Tile", tile},
      {"", "Pad", pad},
      {"", "Shape", shape},
      {"", "Size", size},
      {"", "ConstantOfShape", constant_of_shape},
      {"", "Range", range},
      {"", "EyeLike", eye_like},
      {"", "Trilu", trilu},
      {"", "DepthToSpace", depth_to_space},
      {"", "SpaceToDepth", space_to_depth},
      {"", "Compress", compress},
      {"", "NonZero", non_zero},
      {"", "OneHot", one_hot},
      {"", "ReverseSequence", reverse_sequence},
      {"", "Unique", unique},
      {"", "TopK", top_k},
      {"", "CumSum", cum_sum},
  };
  return kKernels;
}

}  // namespace kiln::reference
