// The optimization pipeline the CPU backend runs on a model before preparing kernels.
//
//   KILN_TRY(infer_types(model));
//   KILN_TRY(optimize(model, {}));        // model is rewritten in place
#pragma once

#include <span>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/pass.h"

namespace kiln {

struct OptimizeOptions {
  // Passes to skip by name (kiln run --disable-pass, tests that isolate one pass).
  std::vector<std::string> disabled;
};

// The passes in the order the pipeline runs them.
std::span<const Pass> optimization_passes();

// Runs every enabled pass on the top-level graph (types must be inferred already); after each
// pass that changed the graph: finalize(), prune_values(), infer_graph_types().
Status optimize(ir::Model& model, const OptimizeOptions& options);

// Runs one pass the same way (for tests).
Status run_pass(ir::Graph& graph, const Pass& pass);

}  // namespace kiln
