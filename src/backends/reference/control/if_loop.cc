// If and Loop: run a subgraph (once, or per iteration) in this node's scope.
#include <limits>

#include "backends/reference/control/control_kernels.h"

namespace kiln::reference {

namespace {

// A scalar-like boolean condition (one element of any numeric/bool dtype).
Expected<bool> read_condition(const KernelContext& ctx, const Value& v, const char* what) {
  if (!v.is_tensor()) return ctx.error("{} must be a tensor", what);
  if (v.tensor().numel() != 1) return ctx.error("{} must have one element, got {}", what, v.tensor().describe());
  if (v.tensor().dtype() == DType::kString) return ctx.error("{} must be bool, got string", what);
  return v.tensor().as_int64(0) != 0;
}

}  // namespace

Status if_op(KernelContext& ctx) {
  if (!ctx.has_input(0)) return ctx.error("input 0 (cond) is missing");
  KILN_ASSIGN_OR_RETURN(bool cond, read_condition(ctx, ctx.input_value(0), "cond"));
  const ir::Graph* branch = ctx.node().attr_graph(cond ? "then_branch" : "else_branch");
  if (!branch) return ctx.error("missing graph attribute '{}'", cond ? "then_branch" : "else_branch");
  KILN_ASSIGN_OR_RETURN(std::vector<Value> outs, ctx.run_subgraph(*branch, {}));
  if (outs.size() != ctx.num_outputs()) {
    return ctx.error("{} produced {} outputs but the node has {}", cond ? "then_branch" : "else_branch", outs.size(),
                     ctx.num_outputs());
  }
  for (size_t i = 0; i < outs.size(); ++i) ctx.set_output(i, std::move(outs[i]));
  return Status::ok();
}

Status loop(KernelContext& ctx) {
  const ir::Graph* body = ctx.node().attr_graph("body");
  if (!body) return ctx.error("missing graph attribute 'body'");
  const size_t n_carried = ctx.num_inputs() >= 2 ? ctx.num_inputs() - 2 : 0;
  if (body->inputs.size() != n_carried + 2 || body->outputs.size() < n_carried + 1) {
    return ctx.error("body has {} inputs and {} outputs, which does not fit {} loop-carried values",
                     body->inputs.size(), body->outputs.size(), n_carried);
  }
  const size_t n_scan = body->outputs.size() - 1 - n_carried;

  int64_t trip = std::numeric_limits<int64_t>::max();
  if (ctx.has_input(0)) {
    const Value& m = ctx.input_value(0);
    if (!m.is_tensor() || m.tensor().numel() != 1 || !dtype_is_integer(m.tensor().dtype())) {
      return ctx.error("M (trip count) must be an int64 scalar");
    }
    trip = m.tensor().as_int64(0);
  }
  bool cond = true;
  if (ctx.has_input(1)) {
    KILN_ASSIGN_OR_RETURN(cond, read_condition(ctx, ctx.input_value(1), "cond"));
  }

  std::vector<Value> carried(n_carried);
  for (size_t i = 0; i < n_carried; ++i) carried[i] = ctx.input_value(2 + i);
  std::vector<std::vector<Tensor>> scans(n_scan);

  for (int64_t it = 0; it < trip && cond; ++it) {
    std::vector<Value> in;
    in.reserve(n_carried + 2);
    in.emplace_back(Tensor::scalar<int64_t>(it));
    in.emplace_back(Tensor::scalar<bool>(cond));
    for (const Value& v : carried) in.push_back(v);
    KILN_ASSIGN_OR_RETURN(std::vector<Value> outs, ctx.run_subgraph(*body, in));
    KILN_ASSIGN_OR_RETURN(cond, read_condition(ctx, outs[0], "the body's cond output"));
    for (size_t i = 0; i < n_carried; ++i) carried[i] = std::move(outs[1 + i]);
    for (size_t k = 0; k < n_scan; ++k) {
      const Value& s = outs[1 + n_carried + k];
      if (!s.is_tensor()) return ctx.error("scan output {} of the body must be a tensor", k);
      if (!scans[k].empty() && (scans[k][0].shape() != s.tensor().shape() || scans[k][0].dtype() != s.tensor().dtype())) {
        return ctx.error("scan output {} changed from {} to {} between iterations", k, scans[k][0].describe(),
                         s.tensor().describe());
      }
      scans[k].push_back(s.tensor());
    }
  }

  for (size_t i = 0; i < n_carried && i < ctx.num_outputs(); ++i) ctx.set_output(i, std::move(carried[i]));
  for (size_t k = 0; k < n_scan && n_carried + k < ctx.num_outputs(); ++k) {
    if (!ctx.wants_output(n_carried + k)) continue;
    if (scans[k].empty()) {
      // No iterations: an empty tensor shaped like one body output would be.
      const ir::TypeInfo& t = body->outputs[1 + n_carried + k]->type;
      Shape shape = t.fully_known() ? t.concrete() : Shape{};
      shape.insert(shape.begin(), 0);
      ctx.allocate_output(n_carried + k, t.elem == DType::kUndefined ? DType::kFloat32 : t.elem, shape);
      continue;
    }
    const Tensor& first = scans[k][0];
    ctx.set_output(n_carried + k, stack_along(scans[k], 0, first.dtype(), first.shape()));
  }
  return Status::ok();
}

}  // namespace kiln::reference
