// Every graph pass (one per file), listed in pipeline.cc in the order they run.
#pragma once

#include "passes/pass.h"

namespace kiln {

Expected<bool> remove_identity(ir::Graph& graph);
Expected<bool> fold_constants(ir::Graph& graph);
Expected<bool> eliminate_dead_code(ir::Graph& graph);
Expected<bool> fuse_batchnorm(ir::Graph& graph);
Expected<bool> fuse_activation_patterns(ir::Graph& graph);
Expected<bool> fuse_matmul_add(ir::Graph& graph);
Expected<bool> simplify_transposes(ir::Graph& graph);

}  // namespace kiln
