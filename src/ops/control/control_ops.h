// Inference functions of the control family (rows in table.cc).
#pragma once

#include "ops/infer_util.h"
#include "ops/op_schema.h"

namespace kiln {

// Subgraph ops (subgraph_ops.cc).
Status infer_if(InferContext& ctx);
Status infer_loop(InferContext& ctx);
Status infer_scan(InferContext& ctx);

// Sequence ops (sequence_ops.cc).
Status infer_sequence_empty(InferContext& ctx);
Status infer_sequence_construct(InferContext& ctx);
Status infer_sequence_at(InferContext& ctx);
Status infer_sequence_erase(InferContext& ctx);
Status infer_sequence_insert(InferContext& ctx);
Status infer_sequence_length(InferContext& ctx);
Status infer_sequence_map(InferContext& ctx);
Status infer_split_to_sequence(InferContext& ctx);
Status infer_concat_from_sequence(InferContext& ctx);

// Optional ops (optional_ops.cc).
Status infer_optional(InferContext& ctx);
Status infer_optional_get_element(InferContext& ctx);
Status infer_optional_has_element(InferContext& ctx);

// Recurrent ops (rnn_ops.cc).
Status infer_rnn(InferContext& ctx);
Status infer_gru(InferContext& ctx);
Status infer_lstm(InferContext& ctx);

// Helpers shared by the files above (control_types.cc).
// The least specific type covering both: dims that differ become unknown, ranks that differ
// make the rank unknown, kinds that differ give kUnknown.
ir::TypeInfo union_types(const ir::TypeInfo& a, const ir::TypeInfo& b);
// The element type of a sequence/optional type (or the type itself for a tensor); kUnknown
// when not known.
ir::TypeInfo element_type(const ir::TypeInfo& t);

}  // namespace kiln
