#include "passes/pipeline.h"

#include <algorithm>

#include "passes/infer_types.h"
#include "passes/passes.h"

namespace kiln {

std::span<const Pass> optimization_passes() {
  static const Pass kPasses[] = {
      {"remove_identity", remove_identity},
      {"fold_constants", fold_constants},
      {"eliminate_dead_code", eliminate_dead_code},
      {"fuse_batchnorm", fuse_batchnorm},
      {"fuse_activation_patterns", fuse_activation_patterns},
      {"factor_scaled_residual", factor_scaled_residual},
      {"fuse_matmul_add", fuse_matmul_add},
      {"fuse_conv", fuse_conv},
      {"layout_channels_last", layout_channels_last},
      {"simplify_transposes", simplify_transposes},
      {"fuse_pointwise_depthwise", fuse_pointwise_depthwise},
      {"fuse_pointwise_depthwise_project", fuse_pointwise_depthwise_project},
      {"fuse_matmul_layout", fuse_matmul_layout},
      {"fuse_attention", fuse_attention},
      {"eliminate_dead_code", eliminate_dead_code},
  };
  return kPasses;
}

Status run_pass(ir::Graph& graph, const Pass& pass) {
  auto changed = pass.run(graph);
  if (!changed) return changed.status().with_context(fmt::format("pass {}", pass.name));
  if (!*changed) return Status::ok();
  graph.prune_values();
  KILN_TRY(graph.finalize().with_context(fmt::format("after pass {}", pass.name)));
  return infer_graph_types(graph).with_context(fmt::format("after pass {}", pass.name));
}

Status optimize(ir::Model& model, const OptimizeOptions& options) {
  for (const Pass& pass : optimization_passes()) {
    if (std::find(options.disabled.begin(), options.disabled.end(), pass.name) != options.disabled.end()) continue;
    KILN_TRY(run_pass(*model.graph, pass));
  }
  return Status::ok();
}

}  // namespace kiln
