// Inference functions of the tensor family (rows in table.cc), plus the pure shape arithmetic
// that the reference kernels share with inference so both always agree.
#pragma once

#include <optional>

#include "ops/infer_util.h"
#include "ops/op_schema.h"

namespace kiln {

Status infer_identity(InferContext& ctx);
Status infer_constant(InferContext& ctx);
// The tensor a Constant node holds (shared with the reference kernel).
Expected<Tensor> constant_node_value(const ir::Node& node);

// Shape-producing and reshaping ops (shape_ops.cc).
Status infer_reshape(InferContext& ctx);
Status infer_flatten(InferContext& ctx);
Status infer_squeeze(InferContext& ctx);
Status infer_unsqueeze(InferContext& ctx);
Status infer_expand(InferContext& ctx);
Status infer_shape(InferContext& ctx);
Status infer_size(InferContext& ctx);
Status infer_constant_of_shape(InferContext& ctx);
Status infer_range(InferContext& ctx);
Status infer_eye_like(InferContext& ctx);

// Data movement ops (layout_ops.cc).
Status infer_transpose(InferContext& ctx);
Status infer_concat(InferContext& ctx);
Status infer_split(InferContext& ctx);
Status infer_slice(InferContext& ctx);
Status infer_tile(InferContext& ctx);
Status infer_pad(InferContext& ctx);
Status infer_depth_to_space(InferContext& ctx);
Status infer_space_to_depth(InferContext& ctx);

// Indexing ops (index_ops.cc).
Status infer_gather(InferContext& ctx);
Status infer_gather_elements(InferContext& ctx);
Status infer_gather_nd(InferContext& ctx);
Status infer_scatter(InferContext& ctx);  // Scatter, ScatterElements, ScatterND
Status infer_compress(InferContext& ctx);
Status infer_non_zero(InferContext& ctx);
Status infer_one_hot(InferContext& ctx);
Status infer_reverse_sequence(InferContext& ctx);
Status infer_unique(InferContext& ctx);
Status infer_top_k(InferContext& ctx);
Status infer_cum_sum(InferContext& ctx);
Status infer_trilu(InferContext& ctx);

// ---- Shape arithmetic shared with the kernels (shape_math.cc) ----

// Maps each axis into [0, rank); error on out-of-range or repeated axes.
Expected<std::vector<int64_t>> normalize_axes(const std::vector<int64_t>& axes, int64_t rank);

// Reshape's target: 0 copies the input dim (unless allowzero), one -1 is inferred.
Expected<Shape> reshape_output_shape(const Shape& in, const std::vector<int64_t>& spec, bool allowzero);

// One dimension of a Slice: elements start, start+step, ... (count of them).
struct SliceDim {
  int64_t start = 0;
  int64_t step = 1;
  int64_t count = 0;
};
// Per-dimension plan of a Slice over `in` (unsliced dims are taken whole).
Expected<std::vector<SliceDim>> slice_plan(const Shape& in, const std::vector<int64_t>& starts,
                                           const std::vector<int64_t>& ends, const std::vector<int64_t>& axes,
                                           const std::vector<int64_t>& steps);

// Sizes of Split's outputs along a dim of length `dim`: explicit `split` or `num_outputs` parts.
Expected<std::vector<int64_t>> split_sizes(int64_t dim, const std::optional<std::vector<int64_t>>& split,
                                           size_t num_outputs, int opset);

// Pad amounts per dim as [begin_0..begin_{r-1}, end_0..end_{r-1}] from pads and optional axes.
Expected<std::vector<int64_t>> full_pads(const std::vector<int64_t>& pads,
                                         const std::optional<std::vector<int64_t>>& axes, int64_t rank);

// Number of elements of Range(start, limit, delta).
Expected<int64_t> range_count(double start, double limit, double delta);

}  // namespace kiln
