// The tensor family: one row per operator.
#include "ops/tensor/tensor_ops.h"
#include "ops/families.h"

namespace kiln {

std::span<const OpSchema> tensor_ops() {
  static const OpSchema kOps[] = {
      {"", "Constant", infer_constant},
      {"", "Identity", infer_identity},
      {"", "Reshape", infer_reshape},
      {"", "Flatten", infer_flatten},
      {"", "Squeeze", infer_squeeze},
      {"", "Unsqueeze", infer_unsqueeze},
      {"", "Transpose", infer_transpose},
      {"", "Concat", infer_concat},
      {"", "Split", infer_split},
      {"", "Slice", infer_slice},
      {"", "Gather", infer_gather},
      {"", "GatherElements", infer_gather_elements},
      {"", "GatherND", infer_gather_nd},
      {"", "Scatter", infer_scatter},
      {"", "ScatterElements", infer_scatter},
      {"", "ScatterND", infer_scatter},
      {"", "Expand", infer_expand},
      {"", "Tile", infer_tile},
      {"", "Pad", infer_pad},
      {"", "Shape", infer_shape},
      {"", "Size", infer_size},
      {"", "ConstantOfShape", infer_constant_of_shape},
      {"", "Range", infer_range},
      {"", "EyeLike", infer_eye_like},
      {"", "Trilu", infer_trilu},
      {"", "DepthToSpace", infer_depth_to_space},
      {"", "SpaceToDepth", infer_space_to_depth},
      {"", "Compress", infer_compress},
      {"", "NonZero", infer_non_zero},
      {"", "OneHot", infer_one_hot},
      {"", "ReverseSequence", infer_reverse_sequence},
      {"", "Unique", infer_unique},
      {"", "TopK", infer_top_k},
      {"", "CumSum", infer_cum_sum},
  };
  return kOps;
}

}  // namespace kiln
