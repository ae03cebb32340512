// Static type/shape inference over a whole model, using each op's pure inference function.
// Fills ir::Value::type for every edge (symbolic dims where unknown), folds nothing.
#pragma once

#include "ir/graph.h"

namespace kiln {

// Ops without a schema are skipped (their outputs stay unknown); the unsupported-op check reports
// them. An inference error (e.g. incompatible shapes) is returned naming the node.
Status infer_types(ir::Model& model);
Status infer_graph_types(ir::Graph& graph);

}  // namespace kiln
