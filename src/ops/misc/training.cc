// Shape inference for the optimizers of ai.onnx.preview.training (Adagrad, Adam, Momentum):
// inputs R, T, then n tensors per group (X, G, and the optimizer's states); outputs are the
// updated X and states, each with the type of the tensor it replaces.
#include "ops/misc/misc_ops.h"

namespace kiln {

namespace {

// Number of input groups after R and T (X, G, states...) and output groups (X, states...).
int optimizer_input_groups(const std::string& op) { return op == "Adam" ? 4 : 3; }

}  // namespace

Status infer_optimizer(InferContext& ctx) {
  const std::string& op = ctx.node().op_type;
  const int groups = optimizer_input_groups(op);
  if (ctx.num_inputs() < 2 || (ctx.num_inputs() - 2) % static_cast<size_t>(groups) != 0) {
    return ctx.error("expects R, T and {} groups of n tensors, got {} inputs", groups, ctx.num_inputs());
  }
  const size_t n = (ctx.num_inputs() - 2) / static_cast<size_t>(groups);
  if (ctx.num_outputs() > n * static_cast<size_t>(groups - 1)) {
    return ctx.error("has {} outputs, at most {} expected", ctx.num_outputs(), n * static_cast<size_t>(groups - 1));
  }
  for (size_t o = 0; o < ctx.num_outputs(); ++o) {
    const size_t g = o / n, i = o % n;
    const size_t src = 2 + (g == 0 ? 0 : g + 1) * n + i;  // skip the gradient group
    if (!ctx.has_input(src)) return ctx.error("input {} is required", src);
    ctx.set_output(o, ctx.input_type(src));
  }
  return Status::ok();
}

}  // namespace kiln
